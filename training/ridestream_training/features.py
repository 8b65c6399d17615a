"""The model features of FEATURES.md, one spec per prediction kind, float32, in order:

* duration scores `ride.started`: only what dispatch knows at pickup;
* tip scores `ride.completed`: the meter's figures are known at drop-off.

Two implementations that must agree (tests/test_features.py and the golden file check it), both reading only
the event they score, never a TLC column:
* `duration_features` / `tip_features`: vectorised over event frames (events.event_frames), for training;
* `features_from_event`: one JSON event, the way the TypeScript consumers compute them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import calendar, nytime
from .paths import ZONES_CSV

RIDE_CONTEXT: tuple[str, ...] = (
    "pu_location_id",
    "do_location_id",
    "same_zone",
    "pickup_hour",
    "pickup_dow",
    "is_weekend",
    "is_holiday",
    "passenger_count",
    "vendor_id",
    "pu_borough",
    "do_borough",
    "pu_airport",
    "do_airport",
)
DURATION_FEATURES: tuple[str, ...] = ("planned_distance", *RIDE_CONTEXT)
TIP_FEATURES: tuple[str, ...] = ("trip_distance", "fare_amount", "duration_minutes", *RIDE_CONTEXT)
FEATURE_NAMES: dict[str, tuple[str, ...]] = {"duration": DURATION_FEATURES, "tip": TIP_FEATURES}
EVENT_OF_KIND = {"duration": "ride.started", "tip": "ride.completed"}
# Columns the zone statistics are keyed on (zone_stats.py; the ONNX graph gathers them from `features`).
PU_COLUMN = DURATION_FEATURES.index("pu_location_id")
DO_COLUMN = DURATION_FEATURES.index("do_location_id")

BOROUGHS: tuple[str, ...] = ("Bronx", "Brooklyn", "EWR", "Manhattan", "Queens", "Staten Island", "Unknown", "N/A")
AIRPORT_ZONES = frozenset({1, 132, 138})  # EWR, JFK, LaGuardia


class ZoneLookupError(ValueError):
    """The taxi zone lookup CSV is missing zones or names a borough outside BOROUGHS."""


@lru_cache(maxsize=4)
def borough_index_by_zone(path: Path = ZONES_CSV) -> np.ndarray:
    """Array `b` with `b[zone] = index in BOROUGHS` for zones 1..265 (`b[0]` unused, -1)."""
    # keep_default_na=False: zone 265's borough is the literal string "N/A", which pandas would read as null.
    lookup = pd.read_csv(path, keep_default_na=False, dtype={"LocationID": int, "Borough": str})
    table = np.full(266, -1, dtype=np.int64)
    for zone, borough in zip(lookup["LocationID"], lookup["Borough"], strict=True):
        if borough not in BOROUGHS:
            raise ZoneLookupError(f"{path}: zone {zone} has borough {borough!r}, not one of {BOROUGHS}")
        if 1 <= zone <= 265:
            table[zone] = BOROUGHS.index(borough)
    missing = [z for z in range(1, 266) if table[z] < 0]
    if missing:
        raise ZoneLookupError(f"{path}: zones missing from the lookup: {missing[:10]}")
    return table


def _ride_context(frame: pd.DataFrame, pickup: pd.Series, zones_csv: Path) -> list[np.ndarray]:
    """RIDE_CONTEXT columns of event rows (`puLocationId`, `doLocationId`, `passengerCount`, `vendorId`) whose
    pickup is the tz-aware New York series `pickup`."""
    boroughs = borough_index_by_zone(zones_csv)
    local = pickup.dt.tz_convert(nytime.NEW_YORK)
    pu = frame["puLocationId"].to_numpy(dtype=np.float64)
    do = frame["doLocationId"].to_numpy(dtype=np.float64)
    pu_int, do_int = pu.astype(np.int64), do.astype(np.int64)
    dow = local.dt.day_of_week.to_numpy(dtype=np.float64)
    return [
        pu,
        do,
        (pu == do).astype(np.float64),
        local.dt.hour.to_numpy(dtype=np.float64) + local.dt.minute.to_numpy(dtype=np.float64) / 60.0,
        dow,
        (dow >= 5).astype(np.float64),
        calendar.holiday_flags(local),
        frame["passengerCount"].fillna(-1.0).to_numpy(dtype=np.float64),
        frame["vendorId"].to_numpy(dtype=np.float64),
        boroughs[pu_int].astype(np.float64),
        boroughs[do_int].astype(np.float64),
        np.isin(pu_int, list(AIRPORT_ZONES)).astype(np.float64),
        np.isin(do_int, list(AIRPORT_ZONES)).astype(np.float64),
    ]


def _float32(columns: list[np.ndarray]) -> np.ndarray:
    # Computed in float64, rounded once to float32: the same as a JS number stored into a Float32Array.
    return np.column_stack(columns).astype(np.float32)


def duration_features(started: pd.DataFrame, zones_csv: Path = ZONES_CSV) -> np.ndarray:
    """DURATION_FEATURES [N, 14] float32 of contract-valid `ride.started` event rows."""
    context = _ride_context(started, started["occurredAt"], zones_csv)
    return _float32([started["plannedDistance"].to_numpy(dtype=np.float64), *context])


def tip_features(completed: pd.DataFrame, zones_csv: Path = ZONES_CSV) -> np.ndarray:
    """TIP_FEATURES [N, 16] float32 of contract-valid `ride.completed` event rows."""
    minutes = (completed["occurredAt"] - completed["startedAt"]).dt.total_seconds().to_numpy() / 60.0
    context = _ride_context(completed, completed["startedAt"], zones_csv)
    return _float32(
        [
            completed["tripDistance"].to_numpy(dtype=np.float64),
            completed["fareAmount"].to_numpy(dtype=np.float64),
            minutes,
            *context,
        ]
    )


def _context_from_event(event: Mapping[str, Any], pickup_at: str, zones_csv: Path) -> list[float]:
    boroughs = borough_index_by_zone(zones_csv)
    local = nytime.parse_local(pickup_at)
    pu, do = int(event["puLocationId"]), int(event["doLocationId"])
    dow = local.weekday()
    passengers = event["passengerCount"]
    return [
        pu,
        do,
        1 if pu == do else 0,
        local.hour + local.minute / 60.0,
        dow,
        1 if dow >= 5 else 0,
        1 if calendar.is_us_holiday(local.date()) else 0,
        -1 if passengers is None else passengers,
        event["vendorId"],
        boroughs[pu],
        boroughs[do],
        1 if pu in AIRPORT_ZONES else 0,
        1 if do in AIRPORT_ZONES else 0,
    ]


def _instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)


def features_from_event(kind: str, event: Mapping[str, Any], zones_csv: Path = ZONES_CSV) -> list[float]:
    """The `kind` features of one contract-valid JSON event (the one that kind scores), as Python floats
    holding the float32 values."""
    if event.get("type") != EVENT_OF_KIND[kind]:
        raise ValueError(f"{kind} scores {EVENT_OF_KIND[kind]}, got {event.get('type')!r}")
    if kind == "duration":
        values = [float(event["plannedDistance"]), *_context_from_event(event, event["occurredAt"], zones_csv)]
    else:
        # Instants, not wall clocks: Python subtracts two datetimes of the same tzinfo as wall-clock times, which is
        # an hour off across a DST change (caught by the spring-forward row of tests/test_features.py).
        minutes = (_instant(event["occurredAt"]) - _instant(event["startedAt"])).total_seconds() / 60.0
        values = [
            float(event["tripDistance"]),
            float(event["fareAmount"]),
            minutes,
            *_context_from_event(event, event["startedAt"], zones_csv),
        ]
    return [float(np.float32(v)) for v in values]
