"""The features per kind (FEATURES.md): a table of hand-checked rides, the leak test (a duration feature never
moves with anything known after pickup), and the training (vectorised) and serving (per-event) paths agreeing on
real rides."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from conftest import ride_row

from ridestream_training import calendar, contract, data, nytime
from ridestream_training.events import event_frames, to_events
from ridestream_training.features import (
    BOROUGHS,
    DURATION_FEATURES,
    TIP_FEATURES,
    duration_features,
    features_from_event,
    tip_features,
)
from ridestream_training.paths import month_file

BRONX, BROOKLYN, EWR, MANHATTAN, QUEENS, STATEN, UNKNOWN, NA = range(8)
assert BOROUGHS[NA] == "N/A" and BOROUGHS[UNKNOWN] == "Unknown"


def named(names: tuple[str, ...], vector: list[float]) -> dict[str, float]:
    return dict(zip(names, vector, strict=True))


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
    frames = event_frames(frame_of(row))
    (ride,) = to_events(frames)
    duration = named(DURATION_FEATURES, duration_features(frames.started)[0].tolist())
    tip = named(TIP_FEATURES, tip_features(frames.completed)[0].tolist())
    for name, value in expected.items():
        assert duration[name] == pytest.approx(float(np.float32(value))), name
        assert tip[name] == duration[name], name  # the same ride context, the pickup's calendar
    assert duration == named(DURATION_FEATURES, features_from_event("duration", ride["started"]))
    assert tip == named(TIP_FEATURES, features_from_event("tip", ride["completed"]))
    assert duration["planned_distance"] == float(np.float32(row["trip_distance"]))
    assert tip["fare_amount"] == float(np.float32(row["fare_amount"]))
    times = pd.Series([row["lpep_pickup_datetime"], row["lpep_dropoff_datetime"]]).astype("datetime64[us]")
    pickup, dropoff = nytime.localize(times)  # instants: across a DST change the wall clocks are an hour off
    assert tip["duration_minutes"] == float(np.float32((dropoff - pickup).total_seconds() / 60))


# Everything a TLC row knows after pickup. Changing any of them must leave the duration row untouched (issue 13:
# the v1 duration model read the metered fare, a function of the duration it predicts).
LATER_KNOWN = {
    "fare_amount": (0.0, 7.5, 250.0),
    "payment_type": (float("nan"), 2.0, 4.0),
    "lpep_dropoff_datetime": (pd.Timestamp("2024-01-07 00:00:00"), pd.Timestamp("2024-01-07 02:00:00")),
    "tip_amount": (0.0, 40.0),
    "total_amount": (0.0, 500.0),
}


def test_duration_features_never_change_with_anything_known_after_pickup(frame_of) -> None:
    reference = duration_features(event_frames(frame_of(ride_row())).started)
    leaks = []
    for column, values in LATER_KNOWN.items():
        for value in values:
            frames = event_frames(frame_of(ride_row(**{column: value})))
            if not np.array_equal(duration_features(frames.started), reference):
                leaks.append(f"{column}={value}")
            (ride,) = to_events(frames)
            if features_from_event("duration", ride["started"]) != reference[0].tolist():
                leaks.append(f"{column}={value} (per event)")
    assert leaks == []


def test_duration_features_read_only_the_started_event(frame_of) -> None:
    assert not [n for n in DURATION_FEATURES if any(w in n for w in ("fare", "payment", "tip", "total", "duration"))]
    started = event_frames(frame_of(ride_row())).started
    assert set(started.columns) == {
        "rideId",
        "occurredAt",
        "vendorId",
        "puLocationId",
        "doLocationId",
        "plannedDistance",
        "passengerCount",
    }


def test_a_kind_refuses_the_event_it_does_not_score(frame_of) -> None:
    (ride,) = to_events(event_frames(frame_of(ride_row())))
    with pytest.raises(ValueError, match="duration scores ride.started"):
        features_from_event("duration", ride["completed"])
    with pytest.raises(ValueError, match="tip scores ride.completed"):
        features_from_event("tip", ride["paid"])


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2021, 1, 1), True),
        (date(2021, 1, 18), True),  # Martin Luther King Jr. Day, third Monday
        (date(2021, 1, 11), False),
        (date(2021, 2, 15), True),
        (date(2021, 5, 31), True),  # Memorial Day, last Monday
        (date(2021, 6, 18), True),  # Juneteenth on a Saturday, observed Friday
        (date(2020, 6, 19), False),  # not federal before 2021
        (date(2021, 12, 31), True),  # New Year 2022 on a Saturday, observed Friday
        (date(2023, 1, 2), True),  # New Year 2023 on a Sunday, observed Monday
        (date(2023, 1, 1), False),
        (date(2023, 11, 23), True),  # Thanksgiving, fourth Thursday
        (date(2024, 1, 15), True),
        (date(2024, 1, 13), False),
    ],
)
def test_us_holidays(day: date, holiday: bool) -> None:
    assert calendar.is_us_holiday(day) is holiday
    local = pd.Series([pd.Timestamp(day).tz_localize(nytime.NEW_YORK) + pd.Timedelta(hours=21)])
    assert calendar.holiday_flags(local).tolist() == [1.0 if holiday else 0.0]


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
        "type": "ride.started",
        "occurredAt": "2024-01-07T04:50:30Z",
        "puLocationId": 132,
        "doLocationId": 265,
        "plannedDistance": 1.0,
        "passengerCount": None,
        "vendorId": 2,
    }
    same_instant = {**event, "occurredAt": "2024-01-06T23:50:30-05:00"}
    assert features_from_event("duration", event) == features_from_event("duration", same_instant)
    assert named(DURATION_FEATURES, features_from_event("duration", event))["pickup_hour"] == float(
        np.float32(23 + 50 / 60)
    )


@pytest.mark.parametrize("month", ["2021-01", "2023-03", "2024-01"])
def test_training_and_serving_paths_agree_on_real_rides(month: str) -> None:
    month_frame = data.load_month(month_file(month))
    month_frame = month_frame[contract.check_events(event_frames(month_frame)).valid]
    pickup = month_frame[data.PICKUP]
    # every ride of the spring-forward night (2023-03 only), where the two paths could most easily differ
    night = month_frame[(pickup >= "2023-03-12 01:00") & (pickup < "2023-03-12 04:00")]
    frames = event_frames(pd.concat([month_frame.sample(n=1500, random_state=1), night]).reset_index(drop=True))
    matrices = {"duration": duration_features(frames.started), "tip": tip_features(frames.completed)}
    assert matrices["duration"].dtype == np.float32 and matrices["duration"].shape == (len(frames), 14)
    assert matrices["tip"].shape == (len(frames), 16)
    for i, ride in enumerate(to_events(frames)):
        assert [contract.validate_event(e) for e in ride.values()] == [[], [], []]
        assert features_from_event("duration", ride["started"]) == matrices["duration"][i].tolist(), i
        assert features_from_event("tip", ride["completed"]) == matrices["tip"][i].tolist(), i
