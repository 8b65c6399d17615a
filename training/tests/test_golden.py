"""The golden file for libs/features: every v2 event valid, its features recomputed by the serving path per kind,
and the expected predictions reproduced by the shipped ONNX models."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ridestream_training import contract, onnx_export
from ridestream_training.features import features_from_event
from ridestream_training.paths import GOLDEN_FILE, MODELS_DIR

SCORED = {"duration": "started", "tip": "completed"}


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in GOLDEN_FILE.read_text().splitlines()]


def test_golden_file_covers_the_cases(records: list[dict]) -> None:
    assert len(records) >= 1000
    tags = {tag for r in records for tag in r["tags"]}
    assert {
        "near-midnight",
        "weekend",
        "holiday",
        "null-passenger-count",
        "zone-264-265",
        "airport",
        "dst-2023-03-12",
        "synthetic-dst",
    } <= tags
    months = {r["rideId"].rsplit("-", 1)[0] for r in records}
    assert {"2021-01", "2024-01"} <= months
    assert sum("expected" in r for r in records) == 200


def test_golden_events_are_valid_and_features_match(records: list[dict]) -> None:
    for record in records:
        events = record["events"]
        assert [contract.validate_event(e) for e in events.values()] == [[], [], []], record["rideId"]
        assert {e["rideId"] for e in events.values()} == {record["rideId"]}
        for kind, name in SCORED.items():
            assert features_from_event(kind, events[name]) == record["features"][kind], (record["rideId"], kind)
            assert all(float(np.float32(v)) == v for v in record["features"][kind])  # exact float32 values


def test_golden_expected_predictions_match_shipped_models(records: list[dict]) -> None:
    with_expected = [r for r in records if "expected" in r]
    for kind in SCORED:
        features = np.array([r["features"][kind] for r in with_expected], dtype=np.float32)
        predicted = onnx_export.predict_features(onnx_export.session(MODELS_DIR / kind / "model.onnx"), features)
        expected = np.array([r["expected"][kind] for r in with_expected], dtype=np.float32)
        assert np.max(np.abs(predicted - expected)) <= 1e-5, kind
