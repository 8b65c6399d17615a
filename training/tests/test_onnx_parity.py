"""Exported ONNX graphs against the native models on a sample of the validation month (max abs diff <= 1e-3),
the duration graph's in-graph zone statistics against the Python tables, and the shipped models' signatures
against FEATURES.md."""

from __future__ import annotations

import json
from dataclasses import replace
from hashlib import sha256

import numpy as np
import onnx
import pytest

from ridestream_training import models, onnx_export, zone_stats
from ridestream_training.features import EVENT_OF_KIND, FEATURE_NAMES
from ridestream_training.paths import MODELS_DIR
from ridestream_training.prepare import build_dataset

TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def sets():
    train = build_dataset(("2023-01",), sample_rows=8000).with_features()
    valid = build_dataset(("2024-01",), sample_rows=4000).with_features()
    return train, valid


def _zones(dataset) -> tuple[np.ndarray, np.ndarray]:
    started = dataset.events.started
    return started["puLocationId"].to_numpy(), started["doLocationId"].to_numpy()


def _signature(width: int) -> dict[str, list[dict[str, object]]]:
    return {
        "inputs": [{"name": "features", "type": "float", "shape": [None, width]}],
        "outputs": [{"name": "prediction", "type": "float", "shape": [None, 1]}],
    }


def test_duration_graph_computes_the_zone_statistics_itself(sets) -> None:
    train, valid = sets
    stats = zone_stats.ZoneStats.fit(*_zones(train), train.planned_distance, train.duration)
    x_train = np.hstack([train.duration_features, stats.transform(*_zones(train))])
    result = models.train_booster(x_train, train.duration, replace(models.DURATION_CONFIG, max_rounds=60))
    graph = onnx_export.export_booster_with_zone_stats(result.booster, stats, "test", {}, 14)
    assert onnx_export.io_signature(graph) == _signature(14)
    served = valid.duration_features.copy()
    served[:10, 1:3] = [[264, 5]] * 10  # a pair the sample never saw: the global values, as in Python
    onnx_pred = onnx_export.predict_features(onnx_export.session(graph), served)
    pu, do = served[:, 1], served[:, 2]
    native = models.predict_booster(result.booster, np.hstack([served, stats.transform(pu, do)]))
    assert np.max(np.abs(onnx_pred - native)) <= TOLERANCE


def test_zone_statistics_shrink_rare_pairs_and_default_unknown_ones() -> None:
    pu, do = np.array([1, 1, 2] + [3] * 100), np.array([1, 1, 2] + [4] * 100)
    minutes = np.array([10.0, 30.0, 90.0] + [20.0] * 100)
    stats = zone_stats.ZoneStats.fit(pu, do, np.ones(len(pu)), minutes)
    row = dict(zip(zone_stats.STAT_NAMES, stats.transform(np.array([1, 3, 9]), np.array([1, 4, 9])).T, strict=True))
    overall = minutes.mean()
    assert row["pair_mean_minutes"][0] == pytest.approx((40 + 20 * overall) / 22, rel=1e-6)  # 2 rides, prior 20
    assert abs(row["pair_mean_minutes"][1] - 20) < abs(row["pair_mean_minutes"][0] - 20)  # 100 rides: near 20
    assert row["pair_mean_minutes"][2] == pytest.approx(overall, rel=1e-6)  # unknown pair: the global mean
    assert row["pair_log_rides"].tolist() == pytest.approx([np.log1p(2), np.log1p(100), 0.0])


def test_out_of_fold_statistics_never_contain_the_row_itself() -> None:
    # One ride per pickup zone and pair: out of fold, the 1000-minute ride cannot see itself, so it gets the
    # global mean of the other folds (all 10-minute rides), exactly; in-sample it would get (1000 + 20 x mean) / 21.
    n = 50
    minutes = np.full(n, 10.0)
    minutes[0] = 1000.0
    oof = zone_stats.out_of_fold(np.arange(n) + 1, np.ones(n), np.ones(n), minutes)
    for stat in ("pair_mean_minutes", "pu_mean_minutes"):
        assert oof[0, zone_stats.STAT_NAMES.index(stat)] == pytest.approx(10.0), stat


def test_tip_graph_matches_native(sets) -> None:
    train, valid = sets
    result = models.train_booster(train.tip_features, train.tip, replace(models.TIP_CONFIG, max_rounds=60))
    graph = onnx_export.export_booster(result.booster, "test", {}, 16)
    assert onnx_export.io_signature(graph) == _signature(16)
    onnx_pred = onnx_export.predict_features(onnx_export.session(graph), valid.tip_features)
    native = models.predict_booster(result.booster, valid.tip_features)
    assert np.max(np.abs(onnx_pred - native)) <= TOLERANCE


def test_linear_baseline_graph_matches_native(sets) -> None:
    train, valid = sets
    baseline = models.LinearBaseline().fit(train.pu_do, train.planned_distance, train.duration)
    graph = onnx_export.export_linear_baseline(*baseline.weights(), "test", {})
    distance32 = valid.planned_distance.astype(np.float32)
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
    assert len(payload) < 6 * 1024 * 1024
    graph = onnx.load_from_string(payload)
    assert onnx_export.io_signature(graph) == {"inputs": card["onnx"]["inputs"], "outputs": card["onnx"]["outputs"]}
    assert card["parity"]["maxAbsDiff"] <= TOLERANCE
    assert card["alias"] == "production"
    if key == "duration-baseline":
        assert [i["name"] for i in card["onnx"]["inputs"]] == ["pu_do", "trip_distance"]
    else:
        assert card["eventType"] == EVENT_OF_KIND[key]
        assert card["featureNames"] == list(FEATURE_NAMES[key])
        assert card["onnx"] == {**card["onnx"], **_signature(len(FEATURE_NAMES[key]))}
        metadata = {p.key: p.value for p in graph.metadata_props}
        assert json.loads(metadata["feature_names"]) == list(FEATURE_NAMES[key])
