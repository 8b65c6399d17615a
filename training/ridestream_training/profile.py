"""The reference profile logged with each model: binned distributions of the training features and of the model's
predictions on them, for the monitor's drift checks (libs/monitor/src/drift.ts reads the same JSON).

Numeric columns get quantile bins (interior edges; a value x falls in bin = number of edges <= x, which is what
`numpy.searchsorted(edges, x, side="right")` and the TypeScript binary search both compute). Categorical columns
keep their most frequent values and one share for every other value. Missing values (NaN, or a column's sentinel
such as -1 for an unknown passenger count) are counted apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
