"""Shared test setup. Prefect is pointed at a throwaway home before anything imports it, so tests never touch
~/.prefect or the repo's .cache/ and start from a clean ephemeral API database."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

TRAINING_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TRAINING_DIR))

os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="ridestream-prefect-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.pop("MLFLOW_TRACKING_URI", None)  # tests pass their own tmp_path store

import pandas as pd  # noqa: E402
import pytest  # noqa: E402


def ride_row(**overrides: object) -> dict[str, object]:
    """One valid normalised TLC row (data.load_month layout); override fields to break rules."""
    row: dict[str, object] = {
        "lpep_pickup_datetime": pd.Timestamp("2024-01-06 23:50:30"),
        "lpep_dropoff_datetime": pd.Timestamp("2024-01-07 00:05:00"),
        "VendorID": 2.0,
        "PULocationID": 132.0,
        "DOLocationID": 265.0,
        "passenger_count": float("nan"),
        "trip_distance": 12.5,
        "fare_amount": 45.0,
        "tip_amount": 9.0,
        "total_amount": 58.25,
        "payment_type": 1.0,
        "month": "2024-01",
        "row_index": 7,
    }
    row.update(overrides)
    return row


@pytest.fixture
def frame_of():
    def make(*rows: dict[str, object]) -> pd.DataFrame:
        frame = pd.DataFrame(list(rows))
        for column in ("lpep_pickup_datetime", "lpep_dropoff_datetime"):
            frame[column] = frame[column].astype("datetime64[us]")
        return frame

    return make
