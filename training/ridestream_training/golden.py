"""The golden feature file shared with the TypeScript side (libs/features/test/fixtures/golden-features.jsonl).

One JSON object per line, one real ride seen through contract v2:
{"rideId", "naivePickup", "naiveDropoff" (TLC wall-clock times), "events": {"started", "completed", "paid"} (as
replay publishes them), "features": {"duration": [14] from ride.started, "tip": [16] from ride.completed},
"tags": [why the ride is in the file], "expected": {"duration", "tip"} (for 200 rides)}. Features and predictions
are float32 values written as the float64 repr of that float32, so the TypeScript side can compare
`Math.fround(x) === value` exactly.

Both feature implementations (vectorised training path and per-event serving path) must agree on every ride
before the file is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import calendar, contract, data, nytime, onnx_export
from .events import event_frames, to_events
from .features import AIRPORT_ZONES, duration_features, features_from_event, tip_features
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
        "holiday": _pick(frame, calendar.holiday_flags(local) == 1.0, PER_CASE, rng),
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
    """Rides with three contract-valid events from 2021-01 and 2024-01 (random + edge cases) and 2023-03 (the DST
    day)."""
    rng = np.random.default_rng(SEED)
    chosen = []
    for month, random_rows in (("2021-01", RANDOM_PER_MONTH), ("2024-01", RANDOM_PER_MONTH), ("2023-03", 0)):
        frame = data.load_month(month_file(month, data_dir))
        frame = frame[contract.check_events(event_frames(frame)).valid].reset_index(drop=True)
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
    took = moved[data.DROPOFF] - moved[data.PICKUP]
    moved[data.PICKUP] = pd.to_datetime(list(SYNTHETIC_DST_PICKUPS)).astype("datetime64[us]")
    moved[data.DROPOFF] = moved[data.PICKUP] + took.to_numpy()
    moved["month"] = "synthetic-dst"
    moved["row_index"] = range(len(moved))
    moved["tags"] = [["synthetic-dst"]] * len(moved)
    return moved


def write_golden(
    output: Path = GOLDEN_FILE, models_dir: Path = MODELS_DIR, data_dir: Path = DATA_DIR
) -> tuple[int, int]:
    """Write the golden file; returns (rides written, rides with expected predictions)."""
    rides = select_rides(data_dir)
    frames = event_frames(rides)
    matrices = {"duration": duration_features(frames.started), "tip": tip_features(frames.completed)}
    events = to_events(frames)
    for i, ride in enumerate(events):
        for name, event in ride.items():
            reasons = contract.validate_event(event)
            if reasons:
                raise GoldenMismatchError(f"{event['eventId']}: replayed {name} event breaks the contract: {reasons}")
        for kind, event in (("duration", ride["started"]), ("tip", ride["completed"])):
            served = features_from_event(kind, event)
            trained = [float(v) for v in matrices[kind][i]]
            if served != trained:
                raise GoldenMismatchError(f"{event['eventId']} {kind}: training {trained} != serving {served}")

    rng = np.random.default_rng(SEED)
    expected_index = set(rng.choice(len(rides), size=min(EXPECTED_ROWS, len(rides)), replace=False).tolist())
    ordered = sorted(expected_index)
    predictions = {}
    for kind in ("duration", "tip"):
        path = models_dir / kind / "model.onnx"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: run training/bin/train first (the golden file checks the shipped models)")
        predictions[kind] = onnx_export.predict_features(onnx_export.session(path), matrices[kind][ordered])

    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w") as handle:
        for i, ride in enumerate(events):
            record: dict[str, object] = {
                "rideId": ride["started"]["rideId"],
                "naivePickup": rides[data.PICKUP].iloc[i].isoformat(timespec="seconds"),
                "naiveDropoff": rides[data.DROPOFF].iloc[i].isoformat(timespec="seconds"),
                "events": ride,
                # float32 -> exact float64 repr
                "features": {kind: [float(v) for v in matrices[kind][i]] for kind in ("duration", "tip")},
                "tags": rides["tags"].iloc[i],
            }
            if i in expected_index:
                position = ordered.index(i)
                record["expected"] = {kind: float(predictions[kind][position]) for kind in ("duration", "tip")}
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
    return len(events), len(ordered)
