"""The ride event contract v2 of FEATURES.md, checked two ways that must agree:

* `check_events`: vectorised over the event frames of TLC rows (events.event_frames), used by training to drop
  and count the rides that replay would turn into invalid events;
* `validate_event`: one JSON event, exactly what the TypeScript consumers receive.

Reasons are `<event>.<field>` (`completed.fareAmount`), plus `completed.dropoffBeforePickup` for a drop-off before
its pickup (TypeScript: `DROPOFF_BEFORE_PICKUP`) and `schemaVersion.retired` for a v1 event
(`CONTRACT_VERSION_RETIRED`). Rides with an invalid event are counted by reason and never used.
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

from .events import COMPLETED, CONTRACT_VERSION, PAID, STARTED, EventFrames

MIN_ZONE, MAX_ZONE = 1, 265
MAX_DISTANCE_MILES = 200.0
MAX_FARE_DOLLARS = 1000.0
MAX_TOTAL_DOLLARS = 2000.0
MIN_YEAR, MAX_YEAR = 2000, 2100
RETIRED_VERSIONS = (1,)

_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")
# Date-time with an explicit offset (Z or +hh:mm / -hh:mm); fractional seconds allowed.
_OFFSET_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass
class ContractResult:
    """Which rides have three valid events, which event failed, and how many rides broke each rule.

    A ride can break several rules: `rejected_by_reason` counts it under each, `rejected_rows` once.
    """

    valid_by_event: dict[str, np.ndarray]
    rejected_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> np.ndarray:
        return np.logical_and.reduce(list(self.valid_by_event.values()))

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


def _time_ok(values: pd.Series) -> pd.Series:
    return values.notna() & (values.dt.year >= MIN_YEAR) & (values.dt.year <= MAX_YEAR)


FrameRule = Callable[[pd.DataFrame], pd.Series]
_ZONES: dict[str, FrameRule] = {
    "puLocationId": lambda f: _int_in(f["puLocationId"], MIN_ZONE, MAX_ZONE),
    "doLocationId": lambda f: _int_in(f["doLocationId"], MIN_ZONE, MAX_ZONE),
}
_COMMON: dict[str, FrameRule] = {
    "vendorId": lambda f: _int_in(f["vendorId"], 1, 6),
    "occurredAt": lambda f: _time_ok(f["occurredAt"]),
    **_ZONES,
    "passengerCount": lambda f: _nullable_int_in(f["passengerCount"], 0, 9),
}
# event type -> field -> predicate that is True for rows whose event satisfies the rule
FRAME_RULES: dict[str, dict[str, FrameRule]] = {
    STARTED: {**_COMMON, "plannedDistance": lambda f: _number_in(f["plannedDistance"], 0.0, MAX_DISTANCE_MILES)},
    COMPLETED: {
        **_COMMON,
        "startedAt": lambda f: _time_ok(f["startedAt"]),
        "dropoffBeforePickup": lambda f: ~(f["occurredAt"] < f["startedAt"]),
        "tripDistance": lambda f: _number_in(f["tripDistance"], 0.0, MAX_DISTANCE_MILES),
        "fareAmount": lambda f: _number_in(f["fareAmount"], 0.0, MAX_FARE_DOLLARS),
        "paymentType": lambda f: _nullable_int_in(f["paymentType"], 1, 6),
    },
    PAID: {
        "occurredAt": lambda f: _time_ok(f["occurredAt"]),
        "paymentType": lambda f: _nullable_int_in(f["paymentType"], 1, 6),
        "tipAmount": lambda f: _number_in(f["tipAmount"], 0.0, MAX_FARE_DOLLARS),
        "totalAmount": lambda f: _number_in(f["totalAmount"], 0.0, MAX_TOTAL_DOLLARS),
    },
}
_SHORT = {STARTED: "started", COMPLETED: "completed", PAID: "paid"}


def check_events(events: EventFrames) -> ContractResult:
    """Check every ride's three events against the contract."""
    frames = {STARTED: events.started, COMPLETED: events.completed, PAID: events.paid}
    valid_by_event: dict[str, np.ndarray] = {}
    rejected: dict[str, int] = {}
    for event_type, rules in FRAME_RULES.items():
        valid = np.ones(len(events), dtype=bool)
        for name, rule in rules.items():
            ok = rule(frames[event_type]).to_numpy(dtype=bool)
            rejected[f"{_SHORT[event_type]}.{name}"] = int((~ok).sum())
            valid &= ok
        valid_by_event[event_type] = valid
    return ContractResult(valid_by_event=valid_by_event, rejected_by_reason=rejected)


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


def _number_between(value: Any, low: float, high: float) -> bool:
    return _is_json_number(value) and low <= value <= high


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date-time with an explicit offset in 2000-2100, else None."""
    if not isinstance(value, str) or not _OFFSET_DATETIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if MIN_YEAR <= parsed.year <= MAX_YEAR else None


def _id(value: Any, longest: int) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= longest and bool(_ID.match(value))


EventRule = Callable[[Mapping[str, Any]], bool]
_ENVELOPE: dict[str, EventRule] = {
    "eventId": lambda e: _id(e.get("eventId"), 96),
    "rideId": lambda e: _id(e.get("rideId"), 64),
    "occurredAt": lambda e: parse_time(e.get("occurredAt")) is not None,
}
_EVENT_ZONES: dict[str, EventRule] = {
    "vendorId": lambda e: _int_between(e.get("vendorId"), 1, 6),
    "puLocationId": lambda e: _int_between(e.get("puLocationId"), MIN_ZONE, MAX_ZONE),
    "doLocationId": lambda e: _int_between(e.get("doLocationId"), MIN_ZONE, MAX_ZONE),
    "passengerCount": lambda e: (
        "passengerCount" in e and (e["passengerCount"] is None or _int_between(e["passengerCount"], 0, 9))
    ),
}
_PAYMENT: EventRule = lambda e: (  # noqa: E731
    "paymentType" in e and (e["paymentType"] is None or _int_between(e["paymentType"], 1, 6))
)


def _dropoff_not_before_pickup(e: Mapping[str, Any]) -> bool:
    dropoff, pickup = parse_time(e.get("occurredAt")), parse_time(e.get("startedAt"))
    return dropoff is None or pickup is None or dropoff >= pickup  # a bad time is reported under its own field


EVENT_RULES: dict[str, dict[str, EventRule]] = {
    STARTED: {
        **_ENVELOPE,
        **_EVENT_ZONES,
        "plannedDistance": lambda e: _number_between(e.get("plannedDistance"), 0, MAX_DISTANCE_MILES),
    },
    COMPLETED: {
        **_ENVELOPE,
        **_EVENT_ZONES,
        "startedAt": lambda e: parse_time(e.get("startedAt")) is not None,
        "dropoffBeforePickup": _dropoff_not_before_pickup,
        "tripDistance": lambda e: _number_between(e.get("tripDistance"), 0, MAX_DISTANCE_MILES),
        "fareAmount": lambda e: _number_between(e.get("fareAmount"), 0, MAX_FARE_DOLLARS),
        "paymentType": _PAYMENT,
    },
    PAID: {
        **_ENVELOPE,
        "paymentType": _PAYMENT,
        "tipAmount": lambda e: _number_between(e.get("tipAmount"), 0, MAX_FARE_DOLLARS),
        "totalAmount": lambda e: _number_between(e.get("totalAmount"), 0, MAX_TOTAL_DOLLARS),
    },
}


def validate_event(event: Mapping[str, Any]) -> list[str]:
    """Reasons why a JSON ride event breaks the contract (`schemaVersion.retired`, `type`, or field names of
    EVENT_RULES); empty when it is valid."""
    version = event.get("schemaVersion")
    if _is_json_int(version) and version in RETIRED_VERSIONS:
        return ["schemaVersion.retired"]
    reasons = [] if _is_json_int(version) and version == CONTRACT_VERSION else ["schemaVersion"]
    rules = EVENT_RULES.get(event.get("type"))  # type: ignore[arg-type]
    if rules is None:
        return [*reasons, "type"]
    return reasons + [name for name, rule in rules.items() if not rule(event)]
