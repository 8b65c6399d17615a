"""The event contract (FEATURES.md): accept/reject tables for single events and for TLC rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import ride_row

from ridestream_training import contract

VALID_EVENT = {
    "schemaVersion": 1,
    "rideId": "2024-01-7",
    "vendorId": 2,
    "pickupAt": "2024-01-06T23:50:30-05:00",
    "puLocationId": 132,
    "doLocationId": 265,
    "tripDistance": 12.5,
    "passengerCount": None,
    "paymentType": 1,
    "fareAmount": 45.0,
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, None),
        ({"pickupAt": "2024-01-07T04:50:30Z"}, None),
        ({"pickupAt": "2024-01-07T04:50:30.250+00:00"}, None),
        ({"passengerCount": 0, "paymentType": None}, None),
        ({"tripDistance": 0, "fareAmount": 0}, None),
        ({"tripDistance": 200, "fareAmount": 1000}, None),
        ({"vendorId": 2.0}, None),  # JSON has one number type: 2.0 is an integer
        ({"puLocationId": 1, "doLocationId": 265}, None),
        ({"schemaVersion": 2}, "schema_version"),
        ({"rideId": ""}, "ride_id"),
        ({"rideId": "a" * 65}, "ride_id"),
        ({"rideId": "ride 1"}, "ride_id"),
        ({"vendorId": 0}, "vendor_id"),
        ({"vendorId": 7}, "vendor_id"),
        ({"vendorId": None}, "vendor_id"),
        ({"vendorId": True}, "vendor_id"),
        ({"pickupAt": "2024-01-06T23:50:30"}, "pickup_at"),  # no offset
        ({"pickupAt": "2024-01-06 23:50:30-05:00"}, "pickup_at"),
        ({"pickupAt": "1999-12-31T23:59:59-05:00"}, "pickup_at"),
        ({"pickupAt": "2101-01-01T00:00:00Z"}, "pickup_at"),
        ({"pickupAt": "2024-02-30T00:00:00Z"}, "pickup_at"),
        ({"puLocationId": 0}, "pu_location_id"),
        ({"puLocationId": 266}, "pu_location_id"),
        ({"doLocationId": 12.5}, "do_location_id"),
        ({"tripDistance": -0.1}, "trip_distance"),
        ({"tripDistance": 200.01}, "trip_distance"),
        ({"tripDistance": "3"}, "trip_distance"),
        ({"passengerCount": 10}, "passenger_count"),
        ({"passengerCount": 1.5}, "passenger_count"),
        ({"paymentType": 0}, "payment_type"),
        ({"paymentType": 7}, "payment_type"),
        ({"fareAmount": -2.5}, "fare_amount"),
        ({"fareAmount": 1000.01}, "fare_amount"),
        ({"fareAmount": math.inf}, "fare_amount"),
    ],
)
def test_validate_event(change: dict[str, object], reason: str | None) -> None:
    event = {**VALID_EVENT, **change}
    assert contract.validate_event(event) == ([] if reason is None else [reason])


def test_rejects_event_without_nullable_keys() -> None:
    event = {k: v for k, v in VALID_EVENT.items() if k not in ("passengerCount", "paymentType")}
    assert contract.validate_event(event) == ["passenger_count", "payment_type"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, None),
        ({"passenger_count": 0.0, "payment_type": float("nan")}, None),
        ({"lpep_pickup_datetime": pd.Timestamp("2009-01-01 00:03:25")}, None),  # TLC outliers are still valid
        ({"VendorID": float("nan")}, "vendor_id"),
        ({"VendorID": 7.0}, "vendor_id"),
        ({"lpep_pickup_datetime": pd.Timestamp("1999-12-31 23:00:00")}, "pickup_at"),
        ({"PULocationID": 0.0}, "pu_location_id"),
        ({"DOLocationID": 266.0}, "do_location_id"),
        ({"trip_distance": 250.0}, "trip_distance"),
        ({"trip_distance": float("nan")}, "trip_distance"),
        ({"passenger_count": 10.0}, "passenger_count"),
        ({"passenger_count": 1.5}, "passenger_count"),
        ({"payment_type": 0.0}, "payment_type"),
        ({"fare_amount": -3.0}, "fare_amount"),
        ({"fare_amount": 1500.0}, "fare_amount"),
    ],
)
def test_check_rows(frame_of, change: dict[str, object], reason: str | None) -> None:
    result = contract.check_rows(frame_of(ride_row(**change)))
    assert result.valid.tolist() == [reason is None]
    assert {k for k, v in result.rejected_by_reason.items() if v} == ({reason} if reason else set())


def test_counts_each_reason_and_each_row_once(frame_of) -> None:
    frame = frame_of(
        ride_row(),
        ride_row(fare_amount=-1.0, trip_distance=300.0),
        ride_row(fare_amount=-2.0),
    )
    result = contract.check_rows(frame)
    assert result.valid.tolist() == [True, False, False]
    assert result.rejected_rows == 2
    assert result.rejected_by_reason["fare_amount"] == 2
    assert result.rejected_by_reason["trip_distance"] == 1
