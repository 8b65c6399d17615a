"""Command line: `python -m ridestream_training train [--setup course|production]` and `... golden`."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from .paths import DATA_DIR, GOLDEN_FILE, MODELS_DIR


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:.4f}"
    return str(value)


def print_summary(result: dict[str, Any]) -> None:
    print(f"\n== setup: {result['setup']} ==")
    print(f"{'metric set':<34} {'model':<32} {'rows':>7} {'rmse':>8} {'mae':>8}")
    for group, entries in result["metrics"].items():
        for name, values in entries.items():
            print(f"{group:<34} {name:<32} {values['rows']:>7} {_fmt(values['rmse']):>8} {_fmt(values['mae']):>8}")
    tip = result["metrics"]["tip"]
    reduction = 1 - tip["model"]["mae"] / tip["ratio_baseline"]["mae"]
    print(f"tip MAE reduction vs ratio baseline: {reduction:.1%}")
    print("ONNX parity (max abs diff):", {k: f"{v['maxAbsDiff']:.2e}" for k, v in result["parity"].items()})
    if not math.isnan(result["baseline_rows_per_second"]):
        print(f"baseline ONNX throughput (batch 4096): {result['baseline_rows_per_second']:,.0f} rows/s")
    print("rows:", json.dumps(result["rows"]))
    if result["registered"]:
        print("registered:", json.dumps(result["registered"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ridestream_training")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="run the Prefect flow")
    train.add_argument("--setup", choices=["production", "course"], default="production")
    train.add_argument("--data-dir", type=Path, default=DATA_DIR)
    train.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    train.add_argument("--sample-rows", type=int, default=None, help="random rows per month (smoke runs)")
    train.add_argument(
        "--course-xgb-rounds",
        type=int,
        default=300,
        help="round cap for the course XGBoost recipe (the course used 1000: ~30 min here); 0 skips it",
    )
    train.add_argument("--json", type=Path, default=None, help="also write the result as JSON here")
    golden = commands.add_parser("golden", help="write the golden feature file for libs/features")
    golden.add_argument("--output", type=Path, default=GOLDEN_FILE)
    golden.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.command == "train":
        from .flow import ride_models  # imported late: Prefect start-up is slow and `golden` does not need it

        result = ride_models(
            setup=args.setup,
            data_dir=args.data_dir,
            models_dir=args.models_dir,
            sample_rows=args.sample_rows,
            course_xgb_rounds=args.course_xgb_rounds,
        )
        print_summary(result)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
    else:
        from .golden import write_golden

        count, expected = write_golden(args.output, args.models_dir)
        print(f"wrote {count} rides ({expected} with expected predictions) to {args.output}")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
