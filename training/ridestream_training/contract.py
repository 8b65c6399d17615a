"""The ride event contract of FEATURES.md, checked two ways that must agree:

* `check_rows`: vectorised over a normalised TLC frame (data.load_month), used by training to drop and count
  rows that replay would turn into invalid events;
* `validate_event`: one JSON ride event, exactly what the TypeScript consumer receives.

Rows that break the contract are counted by reason and never scored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from . import data

MIN_ZONE, MAX_ZONE = 1, 265
MAX_DISTANCE_MILES = 200.0
MAX_FARE_DOLLARS = 1000.0
MIN_YEAR, MAX_YEAR = 2000, 2100

_RIDE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# Date-time with an explicit offset (Z or +hh:mm / -hh:mm); fractional seconds allowed.
_OFFSET_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass
class ContractResult:
    """Which rows of a frame are valid events, and how many rows broke each rule.

    A row can break several rules: `rejected_by_reason` counts it under each, `rejected_rows` once.
    """

    valid: np.ndarray
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def rejected_rows(self) -> int:
        return int((~self.valid).sum())

    @property
    def valid_rows(self) -> int:
        return int(self.valid.sum())


def _is_int(values: pd.Series) -> pd.Series:
    return values.notna() & np.isfinite(values) & (values == np.floor(values))


def _int_in(values: pd.Series, low: int, high: int) -> pd.Series:
    return _is_int(values) & (values >= low) & (values <= high)


def _number_in(values: pd.Series, low: float, high: float) -> pd.Series:
    return values.notna() & np.isfinite(values) & (values >= low) & (values <= high)


def _nullable_int_in(values: pd.Series, low: int, high: int) -> pd.Series:
    return values.isna() | _int_in(values, low, high)


def _pickup_ok(frame: pd.DataFrame) -> pd.Series:
    pickup = frame[data.PICKUP]
    return pickup.notna() & (pickup.dt.year >= MIN_YEAR) & (pickup.dt.year <= MAX_YEAR)


# reason -> predicate that is True for rows that satisfy the rule
ROW_RULES: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "vendor_id": lambda f: _int_in(f["VendorID"], 1, 6),
    "pickup_at": _pickup_ok,
    "pu_location_id": lambda f: _int_in(f["PULocationID"], MIN_ZONE, MAX_ZONE),
    "do_location_id": lambda f: _int_in(f["DOLocationID"], MIN_ZONE, MAX_ZONE),
    "trip_distance": lambda f: _number_in(f["trip_distance"], 0.0, MAX_DISTANCE_MILES),
    "passenger_count": lambda f: _nullable_int_in(f["passenger_count"], 0, 9),
    "payment_type": lambda f: _nullable_int_in(f["payment_type"], 1, 6),
    "fare_amount": lambda f: _number_in(f["fare_amount"], 0.0, MAX_FARE_DOLLARS),
}


def check_rows(frame: pd.DataFrame) -> ContractResult:
    """Check every row of a normalised TLC frame against the event contract."""
    valid = np.ones(len(frame), dtype=bool)
    rejected: dict[str, int] = {}
    for reason, rule in ROW_RULES.items():
        ok = rule(frame).to_numpy(dtype=bool)
        rejected[reason] = int((~ok).sum())
        valid &= ok
    return ContractResult(valid=valid, rejected_by_reason=rejected)


def _is_json_int(value: Any) -> bool:
    # JSON has one number type: 3.0 is an integer for a JavaScript validator, so it is one here too.
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def _is_json_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _int_between(value: Any, low: int, high: int) -> bool:
    return _is_json_int(value) and low <= value <= high


def _pickup_at_ok(value: Any) -> bool:
    if not isinstance(value, str) or not _OFFSET_DATETIME.match(value):
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return MIN_YEAR <= parsed.year <= MAX_YEAR


EVENT_RULES: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "schema_version": lambda e: _is_json_int(e.get("schemaVersion")) and e.get("schemaVersion") == 1,
    "ride_id": lambda e: isinstance(e.get("rideId"), str) and bool(_RIDE_ID.match(e["rideId"])),
    "vendor_id": lambda e: _int_between(e.get("vendorId"), 1, 6),
    "pickup_at": lambda e: _pickup_at_ok(e.get("pickupAt")),
    "pu_location_id": lambda e: _int_between(e.get("puLocationId"), MIN_ZONE, MAX_ZONE),
    "do_location_id": lambda e: _int_between(e.get("doLocationId"), MIN_ZONE, MAX_ZONE),
    "trip_distance": lambda e: _is_json_number(e.get("tripDistance")) and 0 <= e["tripDistance"] <= MAX_DISTANCE_MILES,
    "passenger_count": lambda e: (
        "passengerCount" in e and (e["passengerCount"] is None or _int_between(e["passengerCount"], 0, 9))
    ),
    "payment_type": lambda e: "paymentType" in e and (e["paymentType"] is None or _int_between(e["paymentType"], 1, 6)),
    "fare_amount": lambda e: _is_json_number(e.get("fareAmount")) and 0 <= e["fareAmount"] <= MAX_FARE_DOLLARS,
}


def validate_event(event: Mapping[str, Any]) -> list[str]:
    """Reasons (EVENT_RULES keys) why a ride event breaks the contract; empty when it is valid."""
    return [reason for reason, rule in EVENT_RULES.items() if not rule(event)]
