"""Contract v2 events made from TLC rows, the way replay publishes them (FEATURES.md): each row is one ride seen
three times, `ride.started` at pickup, `ride.completed` at drop-off, `ride.paid` (TLC has no payment time, so at
drop-off too).

Training builds its features from these event frames only (features.py reads no TLC column), so a model can learn
nothing that the event it scores does not carry. Columns are the events' camelCase fields; `occurredAt` and
`startedAt` are tz-aware New York timestamps (the FEATURES.md rule for naive TLC times).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import data, nytime

CONTRACT_VERSION = 2
STARTED, COMPLETED, PAID = "ride.started", "ride.completed", "ride.paid"


@dataclass
class EventFrames:
    """One row per ride in each frame, aligned (row i of each is the same ride)."""

    started: pd.DataFrame
    completed: pd.DataFrame
    paid: pd.DataFrame

    def __len__(self) -> int:
        return len(self.started)

    def take(self, mask: Any) -> EventFrames:
        return EventFrames(*(f[mask].reset_index(drop=True) for f in (self.started, self.completed, self.paid)))


def ride_ids(frame: pd.DataFrame) -> pd.Series:
    """Replay's ride id: `<file month>-<row index>`."""
    return frame["month"].astype(str) + "-" + frame["row_index"].astype(str)


def event_frames(frame: pd.DataFrame) -> EventFrames:
    """The three events of every row of a normalised TLC frame (data.load_month), unvalidated."""
    ride = ride_ids(frame).to_numpy()
    pickup = nytime.localize(frame[data.PICKUP]).reset_index(drop=True)
    dropoff = nytime.localize(frame[data.DROPOFF]).reset_index(drop=True)

    def column(name: str) -> Any:
        return frame[name].to_numpy()

    started = pd.DataFrame(
        {
            "rideId": ride,
            "occurredAt": pickup,
            "vendorId": column("VendorID"),
            "puLocationId": column("PULocationID"),
            "doLocationId": column("DOLocationID"),
            # The planned route's miles: replay's stand-in is the metered distance (FEATURES.md).
            "plannedDistance": column("trip_distance"),
            "passengerCount": column("passenger_count"),
        }
    )
    completed = pd.DataFrame(
        {
            "rideId": ride,
            "occurredAt": dropoff,
            "vendorId": column("VendorID"),
            "startedAt": pickup,
            "puLocationId": column("PULocationID"),
            "doLocationId": column("DOLocationID"),
            "tripDistance": column("trip_distance"),
            "fareAmount": column("fare_amount"),
            "paymentType": column("payment_type"),
            "passengerCount": column("passenger_count"),
        }
    )
    paid = pd.DataFrame(
        {
            "rideId": ride,
            "occurredAt": dropoff,
            "paymentType": column("payment_type"),
            "tipAmount": column("tip_amount"),
            "totalAmount": column("total_amount"),
        }
    )
    return EventFrames(started, completed, paid)


_INT_FIELDS = {"vendorId", "puLocationId", "doLocationId", "passengerCount", "paymentType"}
_TIME_FIELDS = {"occurredAt", "startedAt"}
_SUFFIX = {STARTED: "started", COMPLETED: "completed", PAID: "paid"}


def _json_value(name: str, value: Any) -> Any:
    if name in _TIME_FIELDS:
        return nytime.to_iso(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if name in _INT_FIELDS:
        return int(value)
    if name == "rideId":
        return str(value)
    return float(value)


def _to_json(frame: pd.DataFrame, event_type: str) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        fields = {k: _json_value(k, v) for k, v in row.items()}
        out.append(
            {
                "schemaVersion": CONTRACT_VERSION,
                "type": event_type,
                "eventId": f"{fields['rideId']}:{_SUFFIX[event_type]}",
                **fields,
            }
        )
    return out


def to_events(events: EventFrames) -> list[dict[str, dict[str, Any]]]:
    """The JSON events of every ride, as replay publishes them: `{"started", "completed", "paid"}` per ride."""
    started, completed, paid = (
        _to_json(events.started, STARTED),
        _to_json(events.completed, COMPLETED),
        _to_json(events.paid, PAID),
    )
    return [{"started": s, "completed": c, "paid": p} for s, c, p in zip(started, completed, paid, strict=True)]
