"""Batch scoring of a month (batch.py) on a sample, with the shipped models, and its monthly deployment beside the
training flow (deploy.py)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from ridestream_training import batch, contract, deploy, onnx_export
from ridestream_training.data import load_month
from ridestream_training.events import event_frames
from ridestream_training.features import duration_features
from ridestream_training.paths import MODELS_DIR, month_file


@pytest.mark.parametrize(("now", "month"), [(datetime(2024, 2, 3, 8), "2024-01"), (datetime(2024, 1, 3, 8), "2023-12")])
def test_previous_month(now: datetime, month: str) -> None:
    assert batch.previous_month(now) == month


def test_batch_flow_writes_the_predictions_of_a_month(tmp_path: Path) -> None:
    result = batch.ride_batch(month="2024-01", output_dir=tmp_path, sample_rows=300)
    table = pq.read_table(result["path"]).to_pandas()
    assert list(table.columns) == batch.SCHEMA.names
    assert result["rows"] == table["kind"].value_counts().to_dict()
    assert set(table["event_type"]) == {"ride.started", "ride.completed"}
    assert 250 <= result["rows"]["duration"] <= 300  # every valid ride.started of the sample

    # The same values as the shipped duration graph on the events' features, stamped with the card's version.
    frame = load_month(month_file("2024-01")).sample(n=300, random_state=0).sort_index().reset_index(drop=True)
    events = event_frames(frame)
    started = events.started[contract.check_events(events).valid_by_event["ride.started"]]
    expected = onnx_export.predict_features(
        onnx_export.session(MODELS_DIR / "duration" / "model.onnx"), duration_features(started)
    )
    duration = table[table["kind"] == "duration"]
    assert duration["ride_id"].tolist() == started["rideId"].tolist()
    assert np.array_equal(duration["value"].to_numpy(), expected)
    card = json.loads((MODELS_DIR / "duration" / "model.json").read_text())
    assert set(duration["model_version"]) == {str(card["version"])}
    assert duration["prediction_id"].is_unique and duration["prediction_id"].str.fullmatch("[0-9a-f]{32}").all()


def test_prediction_id_is_the_one_the_consumers_stamp() -> None:
    # Computed by libs/features predictionId('duration', {name: 'ride-duration', version: '7'}, 'r1:started').
    assert batch.prediction_ids("duration", "ride-duration", "7", ["r1:started"]) == ["1dd5a136279ec3bfbff586955c165077"]


def test_batch_refuses_a_model_trained_on_other_features(tmp_path: Path) -> None:
    shutil.copytree(MODELS_DIR / "tip", tmp_path / "duration")
    with pytest.raises(batch.BatchModelError, match="duration features of ride.started"):
        batch.ServedModel.load(tmp_path, "duration")


def test_deployments_schedule_training_then_batch_scoring() -> None:
    training, scoring = deploy.build_deployments()
    assert (training.name, scoring.name) == ("ride-models-monthly", "ride-batch-monthly")
    assert training.parameters == {"setup": "production"}
    assert scoring.parameters == {}  # the month comes from the scheduled time
    crons = [(d.schedules[0].schedule.cron, d.schedules[0].schedule.timezone) for d in (training, scoring)]
    assert crons == [("0 6 3 * *", "America/New_York"), ("0 8 3 * *", "America/New_York")]
