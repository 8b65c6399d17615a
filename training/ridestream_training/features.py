"""The 14 model features of FEATURES.md, float32, in order.

Two implementations that must agree (tests/test_features.py and the golden file check it):
* `build_features`: vectorised over a normalised TLC frame, for training;
* `features_from_event`: one JSON ride event, the way the TypeScript consumer computes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import data, nytime
from .paths import ZONES_CSV

FEATURE_NAMES: tuple[str, ...] = (
    "trip_distance",
    "fare_amount",
    "pu_location_id",
    "do_location_id",
    "same_zone",
    "pickup_hour",
    "pickup_dow",
    "is_weekend",
    "passenger_count",
    "vendor_id",
    "pu_borough",
    "do_borough",
    "pu_airport",
    "do_airport",
)
N_FEATURES = len(FEATURE_NAMES)
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


def build_features(frame: pd.DataFrame, zones_csv: Path = ZONES_CSV) -> np.ndarray:
    """Features [N, 14] float32 for contract-valid rows of a normalised TLC frame."""
    boroughs = borough_index_by_zone(zones_csv)
    local = nytime.localize(frame[data.PICKUP])
    pu = frame["PULocationID"].to_numpy(dtype=np.float64)
    do = frame["DOLocationID"].to_numpy(dtype=np.float64)
    pu_int, do_int = pu.astype(np.int64), do.astype(np.int64)
    dow = local.dt.day_of_week.to_numpy(dtype=np.float64)
    columns = [
        frame["trip_distance"].to_numpy(dtype=np.float64),
        frame["fare_amount"].to_numpy(dtype=np.float64),
        pu,
        do,
        (pu == do).astype(np.float64),
        local.dt.hour.to_numpy(dtype=np.float64) + local.dt.minute.to_numpy(dtype=np.float64) / 60.0,
        dow,
        (dow >= 5).astype(np.float64),
        frame["passenger_count"].fillna(-1.0).to_numpy(dtype=np.float64),
        frame["VendorID"].to_numpy(dtype=np.float64),
        boroughs[pu_int].astype(np.float64),
        boroughs[do_int].astype(np.float64),
        np.isin(pu_int, list(AIRPORT_ZONES)).astype(np.float64),
        np.isin(do_int, list(AIRPORT_ZONES)).astype(np.float64),
    ]
    # Computed in float64, rounded once to float32: the same as a JS number stored into a Float32Array.
    return np.column_stack(columns).astype(np.float32)


def features_from_event(event: Mapping[str, Any], zones_csv: Path = ZONES_CSV) -> list[float]:
    """Features of one contract-valid ride event, as Python floats holding the float32 values."""
    boroughs = borough_index_by_zone(zones_csv)
    local = nytime.parse_local(event["pickupAt"])
    pu, do = int(event["puLocationId"]), int(event["doLocationId"])
    dow = local.weekday()
    passengers = event["passengerCount"]
    values: Sequence[float] = (
        float(event["tripDistance"]),
        float(event["fareAmount"]),
        pu,
        do,
        1 if pu == do else 0,
        local.hour + local.minute / 60.0,
        dow,
        1 if dow >= 5 else 0,
        -1 if passengers is None else passengers,
        event["vendorId"],
        boroughs[pu],
        boroughs[do],
        1 if pu in AIRPORT_ZONES else 0,
        1 if do in AIRPORT_ZONES else 0,
    )
    return [float(np.float32(v)) for v in values]
