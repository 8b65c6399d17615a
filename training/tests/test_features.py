"""The 14 features (FEATURES.md): a table of hand-checked rides, and the training (vectorised) and serving
(per-event) paths agreeing on real rides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ride_row

from ridestream_training import contract, data, nytime
from ridestream_training.events import to_events
from ridestream_training.features import BOROUGHS, FEATURE_NAMES, build_features, features_from_event
from ridestream_training.paths import month_file

BRONX, BROOKLYN, EWR, MANHATTAN, QUEENS, STATEN, UNKNOWN, NA = range(8)
assert BOROUGHS[NA] == "N/A" and BOROUGHS[UNKNOWN] == "Unknown"


def named(vector: list[float]) -> dict[str, float]:
    return dict(zip(FEATURE_NAMES, vector, strict=True))


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (  # Saturday 23:50 JFK -> zone 265 (borough "N/A"), unknown passenger count
            ride_row(),
            {
                "pickup_hour": 23 + 50 / 60,
                "pickup_dow": 5,
                "is_weekend": 1,
                "passenger_count": -1,
                "pu_borough": QUEENS,
                "do_borough": NA,
                "pu_airport": 1,
                "do_airport": 0,
                "same_zone": 0,
                "vendor_id": 2,
            },
        ),
        (  # Monday just after midnight, Manhattan -> LaGuardia; seconds do not count in the hour
            ride_row(
                lpep_pickup_datetime=pd.Timestamp("2024-01-08 00:00:59"),
                PULocationID=236.0,
                DOLocationID=138.0,
                passenger_count=0.0,
            ),
            {
                "pickup_hour": 0.0,
                "pickup_dow": 0,
                "is_weekend": 0,
                "passenger_count": 0,
                "pu_borough": MANHATTAN,
                "do_borough": QUEENS,
                "pu_airport": 0,
                "do_airport": 1,
            },
        ),
        (  # Sunday, EWR -> EWR, zone 264 is "Unknown"
            ride_row(
                lpep_pickup_datetime=pd.Timestamp("2021-01-03 12:30:00"),
                PULocationID=1.0,
                DOLocationID=1.0,
                passenger_count=3.0,
                VendorID=1.0,
            ),
            {
                "pickup_hour": 12.5,
                "pickup_dow": 6,
                "is_weekend": 1,
                "same_zone": 1,
                "pu_borough": EWR,
                "do_borough": EWR,
                "pu_airport": 1,
                "do_airport": 1,
                "passenger_count": 3,
                "vendor_id": 1,
            },
        ),
        (
            ride_row(PULocationID=264.0, DOLocationID=5.0),
            {"pu_borough": UNKNOWN, "do_borough": STATEN, "pu_airport": 0},
        ),
        (  # spring forward: 02:30 does not exist on 2023-03-12 and is read as 03:30 EDT
            ride_row(lpep_pickup_datetime=pd.Timestamp("2023-03-12 02:30:10")),
            {"pickup_hour": 3.5, "pickup_dow": 6, "is_weekend": 1},
        ),
        (  # fall back: 01:30 on 2021-11-07 happens twice; the earlier (EDT) is used, the wall clock is unchanged
            ride_row(lpep_pickup_datetime=pd.Timestamp("2021-11-07 01:30:00")),
            {"pickup_hour": 1.5, "pickup_dow": 6},
        ),
    ],
)
def test_features_table(frame_of, row: dict[str, object], expected: dict[str, float]) -> None:
    frame = frame_of(row)
    vectorised = named(build_features(frame)[0].tolist())
    served = named(features_from_event(to_events(frame)[0]))
    for name, value in expected.items():
        assert vectorised[name] == pytest.approx(float(np.float32(value))), name
    assert vectorised == served
    assert vectorised["trip_distance"] == float(np.float32(row["trip_distance"]))
    assert vectorised["fare_amount"] == float(np.float32(row["fare_amount"]))


@pytest.mark.parametrize(
    ("naive", "iso"),
    [
        ("2021-01-01 00:15:56", "2021-01-01T00:15:56-05:00"),
        ("2023-07-04 12:00:00", "2023-07-04T12:00:00-04:00"),
        ("2023-03-12 02:30:10", "2023-03-12T03:30:10-04:00"),  # non-existent: +1 hour
        ("2021-11-07 01:30:00", "2021-11-07T01:30:00-04:00"),  # ambiguous: the earlier offset, EDT
        ("2021-11-07 02:30:00", "2021-11-07T02:30:00-05:00"),
    ],
)
def test_localize_follows_the_replay_rule(naive: str, iso: str) -> None:
    local = nytime.localize(pd.Series([pd.Timestamp(naive)]).astype("datetime64[us]"))
    assert nytime.to_iso(local.iloc[0]) == iso


def test_event_time_zone_does_not_matter() -> None:
    event = {
        "pickupAt": "2024-01-07T04:50:30Z",
        "puLocationId": 132,
        "doLocationId": 265,
        "tripDistance": 1.0,
        "fareAmount": 5.0,
        "passengerCount": None,
        "vendorId": 2,
    }
    same_instant = {**event, "pickupAt": "2024-01-06T23:50:30-05:00"}
    assert features_from_event(event) == features_from_event(same_instant)
    assert named(features_from_event(event))["pickup_hour"] == float(np.float32(23 + 50 / 60))


@pytest.mark.parametrize("month", ["2021-01", "2023-03", "2024-01"])
def test_training_and_serving_paths_agree_on_real_rides(month: str) -> None:
    month_frame = data.load_month(month_file(month))
    month_frame = month_frame[contract.check_rows(month_frame).valid]
    pickup = month_frame[data.PICKUP]
    # every ride of the spring-forward night (2023-03 only), where the two paths could most easily differ
    night = month_frame[(pickup >= "2023-03-12 01:00") & (pickup < "2023-03-12 04:00")]
    frame = pd.concat([month_frame.sample(n=1500, random_state=1), night]).reset_index(drop=True)
    matrix = build_features(frame)
    assert matrix.dtype == np.float32 and matrix.shape == (len(frame), 14)
    for event, row in zip(to_events(frame), matrix, strict=True):
        assert contract.validate_event(event) == []
        assert features_from_event(event) == [float(v) for v in row], event["rideId"]
