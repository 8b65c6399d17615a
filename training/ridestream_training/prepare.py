"""Training/evaluation sets: load months, turn every TLC row into its three v2 events (as replay does), drop the
rides whose events break the contract (counted by reason), apply the cleaning rules, build features from the
events only.

Cleaning (FEATURES.md): 1 <= duration <= 60 minutes, where duration = ride.completed occurredAt - startedAt; the
tip set additionally keeps card rides (ride.completed paymentType == 1), target ride.paid tipAmount. The
course's own filter (TLC duration only) is kept beside it to reproduce the course figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract, data, models
from .events import EventFrames, event_frames
from .features import duration_features, tip_features
from .paths import DATA_DIR, month_file

MIN_DURATION, MAX_DURATION = 1.0, 60.0
CARD = 1.0


@dataclass
class RowCounts:
    """Where the rides of a set of months went; reported in model cards."""

    read: int
    rejected_by_contract: int
    rejected_by_reason: dict[str, int]
    duration_out_of_range: int  # among contract-valid rides
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


def event_duration_minutes(events: EventFrames) -> np.ndarray:
    """Ground truth: ride.completed occurredAt - startedAt, minutes."""
    completed = events.completed
    return (completed["occurredAt"] - completed["startedAt"]).dt.total_seconds().to_numpy(dtype=np.float64) / 60.0


@dataclass
class Dataset:
    """Rides whose three events are contract-valid, with 1 <= duration <= 60: events, features and targets."""

    months: tuple[str, ...]
    frame: pd.DataFrame  # the TLC rows of those rides, for the course baseline's PU_DO and the golden file
    events: EventFrames
    duration: np.ndarray  # minutes, from ride.completed
    tip_mask: np.ndarray  # card rides: the tip model's rows
    counts: RowCounts
    course_frame: pd.DataFrame = field(repr=False)  # the course filter only (duration), for the baseline figure
    matrices: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # set by with_features()

    def with_features(self) -> Dataset:
        self.matrices = {
            "duration": duration_features(self.events.started),
            "tip": tip_features(self.events.completed),
        }
        return self

    def _matrix(self, kind: str) -> np.ndarray:
        if kind not in self.matrices:
            raise RuntimeError("features not computed yet: call with_features() first")
        return self.matrices[kind]

    @property
    def duration_features(self) -> np.ndarray:
        """[N, 14] from ride.started."""
        return self._matrix("duration")

    @property
    def tip_features(self) -> np.ndarray:
        """[card rides, 16] from ride.completed."""
        return self._matrix("tip")[self.tip_mask]

    @property
    def pu_do(self) -> np.ndarray:
        return models.pu_do_key(self.events.started["puLocationId"], self.events.started["doLocationId"])

    @property
    def planned_distance(self) -> np.ndarray:
        return self.events.started["plannedDistance"].to_numpy(dtype=np.float64)

    @property
    def age_days(self) -> np.ndarray:
        """Days from each pickup to the last pickup of the set (recency weights, models.BoostConfig)."""
        pickup = self.events.started["occurredAt"]
        return ((pickup.max() - pickup).dt.total_seconds() / 86400.0).to_numpy(dtype=np.float64)

    @property
    def tip(self) -> np.ndarray:
        return self.events.paid["tipAmount"].to_numpy(dtype=np.float64)[self.tip_mask]

    @property
    def tip_fare(self) -> np.ndarray:
        return self.events.completed["fareAmount"].to_numpy(dtype=np.float64)[self.tip_mask]


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

    events = event_frames(raw)
    check = contract.check_events(events)
    minutes = event_duration_minutes(events)
    in_range = (minutes >= MIN_DURATION) & (minutes <= MAX_DURATION)
    keep = check.valid & in_range
    kept = events.take(keep)
    tip_mask = (kept.completed["paymentType"] == CARD).to_numpy(dtype=bool)
    counts = RowCounts(
        read=len(raw),
        rejected_by_contract=check.rejected_rows,
        rejected_by_reason=check.rejected_by_reason,
        duration_out_of_range=int((check.valid & ~in_range).sum()),
        duration_rows=int(keep.sum()),
        tip_rows=int(tip_mask.sum()),
    )
    tlc_minutes = data.duration_minutes(raw)
    course = raw[((tlc_minutes >= MIN_DURATION) & (tlc_minutes <= MAX_DURATION)).to_numpy()].reset_index(drop=True)
    return Dataset(
        months=months,
        frame=raw[keep].reset_index(drop=True),
        events=kept,
        duration=minutes[keep],
        tip_mask=tip_mask,
        counts=counts,
        course_frame=course,
    )
