"""The golden file for libs/features: every event valid, its features recomputed by the serving path, and the
expected predictions reproduced by the shipped ONNX models."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ridestream_training import contract, onnx_export
from ridestream_training.features import features_from_event
from ridestream_training.paths import GOLDEN_FILE, MODELS_DIR


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in GOLDEN_FILE.read_text().splitlines()]


def test_golden_file_covers_the_cases(records: list[dict]) -> None:
    assert len(records) >= 1000
    tags = {tag for r in records for tag in r["tags"]}
    assert {"near-midnight", "weekend", "null-passenger-count", "zone-264-265", "airport", "dst-2023-03-12"} <= tags
    months = {r["event"]["rideId"].rsplit("-", 1)[0] for r in records}
    assert {"2021-01", "2024-01"} <= months
    assert sum("expected" in r for r in records) == 200


def test_golden_events_are_valid_and_features_match(records: list[dict]) -> None:
    for record in records:
        assert contract.validate_event(record["event"]) == [], record["event"]["rideId"]
        assert features_from_event(record["event"]) == record["features"], record["event"]["rideId"]
        assert all(float(np.float32(v)) == v for v in record["features"])  # exact float32 values


def test_golden_expected_predictions_match_shipped_models(records: list[dict]) -> None:
    with_expected = [r for r in records if "expected" in r]
    features = np.array([r["features"] for r in with_expected], dtype=np.float32)
    for key in ("duration", "tip"):
        predicted = onnx_export.predict_features(onnx_export.session(MODELS_DIR / key / "model.onnx"), features)
        expected = np.array([r["expected"][key] for r in with_expected], dtype=np.float32)
        assert np.max(np.abs(predicted - expected)) <= 1e-5, key
