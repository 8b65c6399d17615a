"""Training/evaluation sets: load months, drop contract-breaking rows (counted), apply the cleaning rules.

Cleaning (FEATURES.md): 1 <= duration <= 60 minutes; the tip set additionally keeps card rides
(payment_type == 1). The course's own filter (duration only) is kept beside it to reproduce the course figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract, data, models
from .features import build_features
from .paths import DATA_DIR, month_file

MIN_DURATION, MAX_DURATION = 1.0, 60.0
CARD = 1.0


@dataclass
class RowCounts:
    """Where the rows of a set of months went; reported in model cards."""

    read: int
    rejected_by_contract: int
    rejected_by_reason: dict[str, int]
    duration_out_of_range: int  # among contract-valid rows
    duration_rows: int
    tip_rows: int

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "rejectedByContract": self.rejected_by_contract,
            "rejectedByReason": self.rejected_by_reason,
            "durationOutOfRange": self.duration_out_of_range,
            "durationRows": self.duration_rows,
            "tipRows": self.tip_rows,
        }


@dataclass
class Dataset:
    """Contract-valid rides with 1 <= duration <= 60, their features and targets."""

    months: tuple[str, ...]
    frame: pd.DataFrame
    duration: np.ndarray  # minutes
    tip_mask: np.ndarray  # card rides: the tip model's rows
    counts: RowCounts
    course_frame: pd.DataFrame = field(repr=False)  # the course filter only (duration), for the baseline figure
    matrix: np.ndarray | None = field(default=None, repr=False)  # float32 [N, 14], set by with_features()

    def with_features(self) -> Dataset:
        self.matrix = build_features(self.frame)
        return self

    @property
    def features(self) -> np.ndarray:
        if self.matrix is None:
            raise RuntimeError("features not computed yet: call with_features() first")
        return self.matrix

    @property
    def pu_do(self) -> np.ndarray:
        return models.pu_do(self.frame)

    @property
    def tip(self) -> np.ndarray:
        return self.frame["tip_amount"].to_numpy(dtype=np.float64)[self.tip_mask]

    @property
    def tip_features(self) -> np.ndarray:
        return self.features[self.tip_mask]


def _in_duration_range(frame: pd.DataFrame) -> np.ndarray:
    minutes = data.duration_minutes(frame)
    return ((minutes >= MIN_DURATION) & (minutes <= MAX_DURATION)).to_numpy(dtype=bool)


def build_dataset(
    months: tuple[str, ...], data_dir: Path = DATA_DIR, sample_rows: int | None = None, seed: int = 0
) -> Dataset:
    """Load `months`, optionally keep a random sample of `sample_rows` rows per month (for fast tests)."""
    frames = []
    for month in months:
        frame = data.load_month(month_file(month, data_dir))
        if sample_rows is not None and sample_rows < len(frame):
            frame = frame.sample(n=sample_rows, random_state=seed).sort_index()
        frames.append(frame)
    raw = pd.concat(frames, ignore_index=True)

    check = contract.check_rows(raw)
    in_range = _in_duration_range(raw)
    keep = check.valid & in_range
    clean = raw[keep].reset_index(drop=True)
    duration = data.duration_minutes(clean).to_numpy(dtype=np.float64)
    tip_mask = (clean["payment_type"] == CARD).to_numpy(dtype=bool)
    counts = RowCounts(
        read=len(raw),
        rejected_by_contract=check.rejected_rows,
        rejected_by_reason=check.rejected_by_reason,
        duration_out_of_range=int((check.valid & ~in_range).sum()),
        duration_rows=len(clean),
        tip_rows=int(tip_mask.sum()),
    )
    course = raw[in_range].reset_index(drop=True)
    return Dataset(
        months=months,
        frame=clean,
        duration=duration,
        tip_mask=tip_mask,
        counts=counts,
        course_frame=course,
    )
