"""The event contract v2 (FEATURES.md): accept/reject tables for single JSON events and for the event frames of
TLC rows; the same rules as libs/features/src/ride-event.ts."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import ride_row

from ridestream_training import contract
from ridestream_training.events import event_frames, to_events

ENVELOPE = {"schemaVersion": 2, "rideId": "2024-01-7", "occurredAt": "2024-01-06T23:50:30-05:00"}
STARTED = {
    **ENVELOPE,
    "type": "ride.started",
    "eventId": "2024-01-7:started",
    "vendorId": 2,
    "puLocationId": 132,
    "doLocationId": 265,
    "plannedDistance": 12.5,
    "passengerCount": None,
}
COMPLETED = {
    **ENVELOPE,
    "type": "ride.completed",
    "eventId": "2024-01-7:completed",
    "occurredAt": "2024-01-07T00:05:00-05:00",
    "startedAt": "2024-01-06T23:50:30-05:00",
    "vendorId": 2,
    "puLocationId": 132,
    "doLocationId": 265,
    "tripDistance": 12.5,
    "fareAmount": 45.0,
    "paymentType": 1,
    "passengerCount": None,
}
PAID = {
    **ENVELOPE,
    "type": "ride.paid",
    "eventId": "2024-01-7:paid",
    "occurredAt": "2024-01-07T00:05:00-05:00",
    "paymentType": 1,
    "tipAmount": 9.0,
    "totalAmount": 58.25,
}


@pytest.mark.parametrize(
    ("base", "change", "reason"),
    [
        (STARTED, {}, None),
        (COMPLETED, {}, None),
        (PAID, {}, None),
        (STARTED, {"occurredAt": "2024-01-07T04:50:30Z"}, None),
        (STARTED, {"occurredAt": "2024-01-07T04:50:30.250+00:00"}, None),
        (STARTED, {"passengerCount": 0}, None),
        (STARTED, {"plannedDistance": 200, "vendorId": 2.0}, None),  # JSON has one number type: 2.0 is an integer
        (COMPLETED, {"tripDistance": 0, "fareAmount": 0, "paymentType": None}, None),
        (COMPLETED, {"occurredAt": "2024-01-07T04:50:30Z"}, None),  # drop-off at the pickup instant
        (PAID, {"paymentType": None, "tipAmount": 0}, None),
        (STARTED, {"schemaVersion": 1}, "schemaVersion.retired"),
        (STARTED, {"schemaVersion": 3}, "schemaVersion"),
        (STARTED, {"type": "ride.cancelled"}, "type"),
        (STARTED, {"eventId": ""}, "eventId"),
        (STARTED, {"eventId": "a" * 97}, "eventId"),
        (STARTED, {"rideId": "a" * 65}, "rideId"),
        (STARTED, {"rideId": "ride 1"}, "rideId"),
        (STARTED, {"vendorId": True}, "vendorId"),
        (STARTED, {"vendorId": 7}, "vendorId"),
        (STARTED, {"occurredAt": "2024-01-06T23:50:30"}, "occurredAt"),  # no offset
        (STARTED, {"occurredAt": "2024-02-30T00:00:00Z"}, "occurredAt"),
        (STARTED, {"occurredAt": "1999-12-31T23:59:59-05:00"}, "occurredAt"),
        (STARTED, {"puLocationId": 266}, "puLocationId"),
        (STARTED, {"doLocationId": 12.5}, "doLocationId"),
        (STARTED, {"plannedDistance": -0.1}, "plannedDistance"),
        (STARTED, {"plannedDistance": "3"}, "plannedDistance"),
        (STARTED, {"passengerCount": 10}, "passengerCount"),
        (COMPLETED, {"occurredAt": "2024-01-06T23:50:29-05:00"}, "dropoffBeforePickup"),
        (COMPLETED, {"startedAt": "2024-01-06 23:50:30-05:00"}, "startedAt"),
        (COMPLETED, {"tripDistance": 200.01}, "tripDistance"),
        (COMPLETED, {"fareAmount": -2.5}, "fareAmount"),
        (COMPLETED, {"fareAmount": math.inf}, "fareAmount"),
        (COMPLETED, {"paymentType": 7}, "paymentType"),
        (PAID, {"tipAmount": -1}, "tipAmount"),
        (PAID, {"totalAmount": 2000.5}, "totalAmount"),
        (PAID, {"paymentType": 0}, "paymentType"),
    ],
)
def test_validate_event(base: dict[str, object], change: dict[str, object], reason: str | None) -> None:
    assert contract.validate_event({**base, **change}) == ([] if reason is None else [reason])


def test_rejects_event_without_nullable_keys() -> None:
    event = {k: v for k, v in COMPLETED.items() if k not in ("passengerCount", "paymentType")}
    assert contract.validate_event(event) == ["passengerCount", "paymentType"]


def test_replay_turns_a_row_into_its_three_events(frame_of) -> None:
    (ride,) = to_events(event_frames(frame_of(ride_row())))
    assert ride == {"started": STARTED, "completed": COMPLETED, "paid": PAID}


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        ({}, set()),
        ({"passenger_count": 0.0, "payment_type": float("nan")}, set()),
        ({"lpep_pickup_datetime": pd.Timestamp("2009-01-01 00:03:25")}, set()),  # TLC outliers are still valid
        ({"VendorID": float("nan")}, {"started.vendorId", "completed.vendorId"}),
        ({"lpep_pickup_datetime": pd.Timestamp("1999-12-31 23:00:00")}, {"started.occurredAt", "completed.startedAt"}),
        ({"lpep_dropoff_datetime": pd.Timestamp("2024-01-06 23:50:29")}, {"completed.dropoffBeforePickup"}),
        ({"PULocationID": 0.0}, {"started.puLocationId", "completed.puLocationId"}),
        ({"trip_distance": 250.0}, {"started.plannedDistance", "completed.tripDistance"}),
        ({"passenger_count": 1.5}, {"started.passengerCount", "completed.passengerCount"}),
        ({"payment_type": 0.0}, {"completed.paymentType", "paid.paymentType"}),
        ({"fare_amount": -3.0}, {"completed.fareAmount"}),
        ({"tip_amount": -1.0}, {"paid.tipAmount"}),
        ({"total_amount": -58.25}, {"paid.totalAmount"}),
    ],
)
def test_check_events(frame_of, change: dict[str, object], reasons: set[str]) -> None:
    result = contract.check_events(event_frames(frame_of(ride_row(**change))))
    assert result.valid.tolist() == [not reasons]
    assert {k for k, v in result.rejected_by_reason.items() if v} == reasons


def test_counts_each_reason_and_each_ride_once(frame_of) -> None:
    frame = frame_of(
        ride_row(),
        ride_row(fare_amount=-1.0, trip_distance=300.0),
        ride_row(fare_amount=-2.0),
    )
    result = contract.check_events(event_frames(frame))
    assert result.valid.tolist() == [True, False, False]
    assert result.rejected_rows == 2
    assert result.rejected_by_reason["completed.fareAmount"] == 2
    assert result.rejected_by_reason["completed.tripDistance"] == 1
    assert result.valid_by_event["ride.started"].tolist() == [True, False, True]
