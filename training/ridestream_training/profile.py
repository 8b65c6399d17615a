"""The reference profile logged with each model: binned distributions of the training features and of the model's
predictions on them, for the monitor's drift checks (libs/monitor/src/drift.ts reads the same JSON).

Numeric columns get quantile bins (interior edges; a value x falls in bin = number of edges <= x, which is what
`numpy.searchsorted(edges, x, side="right")` and the TypeScript binary search both compute). Categorical columns
keep their most frequent values and one share for every other value. Missing values (NaN, or a column's sentinel
such as -1 for an unknown passenger count) are counted apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_BINS = 10
MAX_CATEGORIES = 20
# The features whose values are labels, not quantities.
CATEGORICAL: frozenset[str] = frozenset(
    {
        "pu_location_id",
        "do_location_id",
        "same_zone",
        "pickup_dow",
        "is_weekend",
        "is_holiday",
        "passenger_count",
        "vendor_id",
        "pu_borough",
        "do_borough",
        "pu_airport",
        "do_airport",
        "payment_type",
    }
)
# Sentinels the feature code writes for an unknown value.
MISSING_SENTINELS: Mapping[str, float] = {"passenger_count": -1.0}


def _missing_mask(name: str, values: np.ndarray) -> np.ndarray:
    mask = np.isnan(values)
    if name in MISSING_SENTINELS:
        mask |= values == MISSING_SENTINELS[name]
    return mask


def numeric_column(values: np.ndarray, missing: np.ndarray, bins: int = DEFAULT_BINS) -> dict[str, Any]:
    present = values[~missing]
    if present.size == 0:
        return {"type": "numeric", "edges": [], "proportions": [1.0], "missing": float(missing.mean())}
    quantiles = np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1])
    edges = np.unique(quantiles.astype(np.float64))
    counts = np.bincount(np.searchsorted(edges, present, side="right"), minlength=edges.size + 1)
    return {
        "type": "numeric",
        "edges": [float(e) for e in edges],
        "proportions": [float(c) for c in counts / present.size],
        "missing": float(missing.mean()),
    }


def categorical_column(values: np.ndarray, missing: np.ndarray, max_categories: int = MAX_CATEGORIES) -> dict[str, Any]:
    present = values[~missing]
    if present.size == 0:
        return {"type": "categorical", "values": [], "proportions": [1.0], "missing": float(missing.mean())}
    uniques, counts = np.unique(present, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:max_categories]
    kept = counts[order]
    return {
        "type": "categorical",
        "values": [float(v) for v in uniques[order]],
        "proportions": [float(c) for c in kept / present.size] + [float(1 - kept.sum() / present.size)],
        "missing": float(missing.mean()),
    }


def reference_profile(
    kind: str,
    features: np.ndarray | pd.DataFrame,
    feature_names: Sequence[str],
    predictions: np.ndarray,
    bins: int = DEFAULT_BINS,
) -> dict[str, Any]:
    """The profile of one model's training features [N, F] (columns in `feature_names` order) and predictions [N]."""
    matrix = np.asarray(features, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(feature_names):
        raise ValueError(f"features must be [N, {len(feature_names)}], got {list(matrix.shape)}")
    preds = np.asarray(predictions, dtype=np.float64).reshape(-1)
    if preds.size != matrix.shape[0]:
        raise ValueError(f"{preds.size} predictions for {matrix.shape[0]} rows")
    columns: dict[str, Any] = {}
    for i, name in enumerate(feature_names):
        values = matrix[:, i]
        missing = _missing_mask(name, values)
        if name in CATEGORICAL:
            columns[name] = categorical_column(values, missing)
        else:
            columns[name] = numeric_column(values, missing, bins)
    columns["prediction"] = numeric_column(preds, np.isnan(preds), bins)
    return {"kind": kind, "rows": int(matrix.shape[0]), "columns": columns}


# Rows of the training set a profile describes: enough for stable deciles, cheap to score.
PROFILE_ROWS = 50_000


def profile_of_graph(kind: str, graph: bytes, matrix: np.ndarray, feature_names: Sequence[str]) -> dict[str, Any]:
    """The profile of a served ONNX graph on (a fixed sample of) its training rows: the columns serving sends it,
    and the predictions it makes on them with onnxruntime, the runtime the consumers use."""
    import onnxruntime as ort

    rows = np.sort(np.random.default_rng(0).permutation(len(matrix))[:PROFILE_ROWS])
    sample = np.asarray(matrix[rows], dtype=np.float32)
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    predictions = session.run(None, {"features": sample})[0].reshape(-1)
    return reference_profile(kind, sample, feature_names, predictions)


def main(argv: Sequence[str] | None = None) -> None:
    """Writes models/<kind>/reference_profile.json for the shipped models, from the production training months,
    without retraining (training writes it too, beside each model it registers)."""
    import argparse
    import json

    from .features import FEATURE_NAMES
    from .flow import SETUPS
    from .paths import DATA_DIR, MODELS_DIR
    from .prepare import build_dataset

    parser = argparse.ArgumentParser(prog="ridestream_training.profile")
    parser.add_argument("--models-dir", default=str(MODELS_DIR))
    args = parser.parse_args(argv)
    train = build_dataset(SETUPS["production"].train_months, DATA_DIR, None).with_features()
    for kind, matrix in (("duration", train.duration_features), ("tip", train.tip_features)):
        directory = Path(args.models_dir) / kind
        profile = profile_of_graph(kind, (directory / "model.onnx").read_bytes(), matrix, FEATURE_NAMES[kind])
        (directory / "reference_profile.json").write_text(json.dumps(profile) + "\n")
        print(f"{directory / 'reference_profile.json'}: {profile['rows']} rows, {len(profile['columns'])} columns")


if __name__ == "__main__":
    main()
