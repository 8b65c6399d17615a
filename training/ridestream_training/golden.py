"""The golden feature file shared with the TypeScript side (libs/features/test/fixtures/golden-features.jsonl).

One JSON object per line: {"event": <ride event>, "naivePickup": <TLC wall-clock time>, "features": [14],
"tags": [why the ride is in the file], "expected": {"duration", "tip"} (for 200 rides)}. Features and
predictions are float32 values written as the float64 repr of that float32, so the TypeScript side can compare
`Math.fround(x) === value` exactly.

Both feature implementations (vectorised training path and per-event serving path) must agree on every ride
before the file is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract, data, nytime, onnx_export
from .events import to_events
from .features import AIRPORT_ZONES, build_features, features_from_event
from .paths import DATA_DIR, GOLDEN_FILE, MODELS_DIR, month_file

SEED = 20240101
RANDOM_PER_MONTH = 400
PER_CASE = 25
EXPECTED_ROWS = 200


class GoldenMismatchError(AssertionError):
    """The training and serving feature paths disagree on a ride: the golden file would be wrong."""


def _pick(frame: pd.DataFrame, mask: pd.Series | np.ndarray, n: int, rng: np.random.Generator) -> pd.Index:
    candidates = frame.index[np.asarray(mask, dtype=bool)]
    if len(candidates) <= n:
        return candidates
    return pd.Index(rng.choice(candidates, size=n, replace=False))


def _cases(frame: pd.DataFrame, rng: np.random.Generator, random_rows: int) -> dict[str, pd.Index]:
    local = nytime.localize(frame[data.PICKUP])
    minutes = local.dt.hour * 60 + local.dt.minute
    pu, do = frame["PULocationID"], frame["DOLocationID"]
    return {
        "random": _pick(frame, np.ones(len(frame), bool), random_rows, rng),
        "near-midnight": _pick(frame, (minutes >= 23 * 60 + 45) | (minutes < 15), PER_CASE, rng),
        "weekend": _pick(frame, local.dt.day_of_week >= 5, PER_CASE, rng),
        "null-passenger-count": _pick(frame, frame["passenger_count"].isna(), PER_CASE, rng),
        "zero-passengers": _pick(frame, frame["passenger_count"] == 0, 5, rng),
        "zone-264-265": _pick(frame, pu.isin([264, 265]) | do.isin([264, 265]), PER_CASE, rng),
        "airport": _pick(frame, pu.isin(list(AIRPORT_ZONES)) | do.isin(list(AIRPORT_ZONES)), PER_CASE, rng),
        "ewr": _pick(frame, (pu == 1) | (do == 1), 5, rng),
        "same-zone": _pick(frame, pu == do, 10, rng),
        "zero-distance-or-fare": _pick(frame, (frame["trip_distance"] == 0) | (frame["fare_amount"] == 0), 5, rng),
        "other-year": _pick(frame, frame[data.PICKUP].dt.year < 2020, 3, rng),
        # 2023-03-12 is the spring-forward day: every ride of the night, 01:xx EST then 03:xx EDT (the TLC
        # files hold no 02:xx pickup that night, as no clock showed one).
        "dst-2023-03-12": _pick(
            frame,
            (frame[data.PICKUP] >= "2023-03-12 00:00") & (frame[data.PICKUP] < "2023-03-12 05:00"),
            500,
            rng,
        ),
    }


def select_rides(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Contract-valid rides from 2021-01 and 2024-01 (random + edge cases) and 2023-03 (the DST day)."""
    rng = np.random.default_rng(SEED)
    chosen = []
    for month, random_rows in (("2021-01", RANDOM_PER_MONTH), ("2024-01", RANDOM_PER_MONTH), ("2023-03", 0)):
        frame = data.load_month(month_file(month, data_dir))
        frame = frame[contract.check_rows(frame).valid].reset_index(drop=True)
        tags: dict[int, list[str]] = {}
        for tag, index in _cases(frame, rng, random_rows).items():
            if month == "2023-03" and tag != "dst-2023-03-12":
                continue
            for i in index:
                tags.setdefault(int(i), []).append(tag)
        picked = frame.loc[sorted(tags)].copy()
        picked["tags"] = [tags[int(i)] for i in picked.index]
        chosen.append(picked)
    chosen.append(_synthetic_dst(chosen[0]))
    return pd.concat(chosen, ignore_index=True)


# No month we hold covers the 2021 DST changes, so these real 2021-01 rides are moved onto them (tagged
# "synthetic-dst", ride ids "synthetic-dst-<n>") to pin the replay rule: a gap time moves forward one hour, an
# ambiguous time takes EDT.
SYNTHETIC_DST_PICKUPS = (
    "2021-03-14 01:59:59",
    "2021-03-14 02:00:00",  # gap -> 03:00:00-04:00
    "2021-03-14 02:30:45",  # gap -> 03:30:45-04:00
    "2021-03-14 03:00:00",
    "2021-11-07 00:59:59",
    "2021-11-07 01:00:00",  # ambiguous -> 01:00:00-04:00 (EDT)
    "2021-11-07 01:45:10",  # ambiguous -> 01:45:10-04:00 (EDT)
    "2021-11-07 02:00:00",
)


def _synthetic_dst(real: pd.DataFrame) -> pd.DataFrame:
    moved = real.head(len(SYNTHETIC_DST_PICKUPS)).copy()
    moved[data.PICKUP] = pd.to_datetime(list(SYNTHETIC_DST_PICKUPS)).astype("datetime64[us]")
    moved["month"] = "synthetic-dst"
    moved["row_index"] = range(len(moved))
    moved["tags"] = [["synthetic-dst"]] * len(moved)
    return moved


def write_golden(
    output: Path = GOLDEN_FILE, models_dir: Path = MODELS_DIR, data_dir: Path = DATA_DIR
) -> tuple[int, int]:
    """Write the golden file; returns (rides written, rides with expected predictions)."""
    rides = select_rides(data_dir)
    matrix = build_features(rides)
    events = to_events(rides)
    for event, row in zip(events, matrix, strict=True):
        reasons = contract.validate_event(event)
        if reasons:
            raise GoldenMismatchError(f"{event['rideId']}: replayed event breaks the contract: {reasons}")
        served = features_from_event(event)
        if served != [float(v) for v in row]:
            raise GoldenMismatchError(
                f"{event['rideId']}: training features {row.tolist()} != serving features {served}"
            )

    rng = np.random.default_rng(SEED)
    expected_index = set(rng.choice(len(rides), size=min(EXPECTED_ROWS, len(rides)), replace=False).tolist())
    ordered = sorted(expected_index)
    predictions = {}
    for key in ("duration", "tip"):
        path = models_dir / key / "model.onnx"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: run training/bin/train first (the golden file checks the shipped models)")
        predictions[key] = onnx_export.predict_features(onnx_export.session(path), matrix[ordered])

    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w") as handle:
        for i, (event, row) in enumerate(zip(events, matrix, strict=True)):
            record: dict[str, object] = {
                "event": event,
                "naivePickup": rides[data.PICKUP].iloc[i].isoformat(timespec="seconds"),
                "features": [float(v) for v in row],  # float32 -> exact float64 repr
                "tags": rides["tags"].iloc[i],
            }
            if i in expected_index:
                position = ordered.index(i)
                record["expected"] = {key: float(predictions[key][position]) for key in ("duration", "tip")}
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
    return len(events), len(ordered)
