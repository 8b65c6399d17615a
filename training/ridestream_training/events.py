"""Ride events (FEATURES.md, schemaVersion 1) made from TLC rows, the way replay publishes them."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from . import data, nytime


def _optional_int(value: float) -> int | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)


def to_events(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One event per row of a contract-valid normalised frame, plus nothing else (no targets)."""
    local = nytime.localize(frame[data.PICKUP])
    events = []
    for row, pickup in zip(frame.itertuples(index=False), local, strict=True):
        events.append(
            {
                "schemaVersion": 1,
                "rideId": f"{row.month}-{row.row_index}",
                "vendorId": int(row.VendorID),
                "pickupAt": nytime.to_iso(pickup),
                "puLocationId": int(row.PULocationID),
                "doLocationId": int(row.DOLocationID),
                "tripDistance": float(row.trip_distance),
                "passengerCount": _optional_int(row.passenger_count),
                "paymentType": _optional_int(row.payment_type),
                "fareAmount": float(row.fare_amount),
            }
        )
    return events
