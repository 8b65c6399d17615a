"""Exported ONNX graphs against the native models on a sample of the validation month (max abs diff <= 1e-3),
and the shipped models' signatures against FEATURES.md."""

from __future__ import annotations

import json
from dataclasses import replace
from hashlib import sha256

import numpy as np
import onnx
import pytest

from ridestream_training import models, onnx_export
from ridestream_training.paths import MODELS_DIR
from ridestream_training.prepare import build_dataset

TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def sets():
    train = build_dataset(("2023-01",), sample_rows=8000).with_features()
    valid = build_dataset(("2024-01",), sample_rows=4000).with_features()
    return train, valid


@pytest.mark.parametrize("config", [models.DURATION_CONFIG, models.TIP_CONFIG], ids=["duration", "tip"])
def test_booster_graph_matches_native(sets, config: models.BoostConfig) -> None:
    train, valid = sets
    target = train.duration if config is models.DURATION_CONFIG else train.frame["tip_amount"].to_numpy()
    result = models.train_booster(train.features, target, replace(config, max_rounds=60))
    graph = onnx_export.export_booster(result.booster, "test", {})
    signature = onnx_export.io_signature(graph)
    assert signature["inputs"] == [{"name": "features", "type": "float", "shape": [None, 14]}]
    assert signature["outputs"] == [{"name": "prediction", "type": "float", "shape": [None, 1]}]
    onnx_pred = onnx_export.predict_features(onnx_export.session(graph), valid.features)
    native = models.predict_booster(result.booster, valid.features)
    assert np.max(np.abs(onnx_pred - native)) <= TOLERANCE


def test_linear_baseline_graph_matches_native(sets) -> None:
    train, valid = sets
    baseline = models.LinearBaseline().fit(train.pu_do, train.frame["trip_distance"].to_numpy(), train.duration)
    graph = onnx_export.export_linear_baseline(*baseline.weights(), "test", {})
    distance32 = valid.frame["trip_distance"].to_numpy().astype(np.float32)
    pairs = valid.pu_do.copy()
    pairs[:10] = "999_999"  # unknown pairs: intercept + coef x distance, like an all-zero one-hot row
    onnx_pred = onnx_export.predict_baseline(onnx_export.session(graph), pairs, distance32)
    native = baseline.predict(pairs, distance32.astype(np.float64))
    assert np.max(np.abs(onnx_pred - native)) <= TOLERANCE


@pytest.mark.parametrize("key", ["duration", "tip", "duration-baseline"])
def test_shipped_model_matches_its_card(key: str) -> None:
    directory = MODELS_DIR / key
    payload = (directory / "model.onnx").read_bytes()
    card = json.loads((directory / "model.json").read_text())
    assert card["sha256"] == sha256(payload).hexdigest()
    assert len(payload) < 5 * 1024 * 1024
    graph = onnx.load_from_string(payload)
    assert onnx_export.io_signature(graph) == {"inputs": card["onnx"]["inputs"], "outputs": card["onnx"]["outputs"]}
    assert card["parity"]["maxAbsDiff"] <= TOLERANCE
    assert card["alias"] == "production"
    if key == "duration-baseline":
        assert [i["name"] for i in card["onnx"]["inputs"]] == ["pu_do", "trip_distance"]
    else:
        assert card["onnx"]["inputs"] == [{"name": "features", "type": "float", "shape": [None, 14]}]
        assert card["onnx"]["outputs"] == [{"name": "prediction", "type": "float", "shape": [None, 1]}]
