"""The reference profile: bins that describe the training sample, in the JSON shape the monitor reads."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ridestream_training.profile import reference_profile


def test_returns_decile_bins_that_hold_a_tenth_each_and_sum_to_one():
    rng = np.random.default_rng(7)
    distance = rng.uniform(0, 10, 10_000)
    vendor = rng.choice([1.0, 2.0], 10_000, p=[0.3, 0.7])
    passengers = np.where(rng.uniform(size=10_000) < 0.1, -1.0, 1.0)
    features = np.column_stack([distance, vendor, passengers])
    names = ["planned_distance", "vendor_id", "passenger_count"]
    profile = reference_profile("duration", features, names, distance * 3)

    dist = profile["columns"]["planned_distance"]
    assert dist["type"] == "numeric" and len(dist["edges"]) == 9
    assert np.allclose(dist["proportions"], 0.1, atol=0.002)
    assert sum(dist["proportions"]) == pytest.approx(1)

    vend = profile["columns"]["vendor_id"]
    assert vend["type"] == "categorical" and vend["values"] == [2.0, 1.0]
    assert vend["proportions"] == pytest.approx([0.7, 0.3, 0.0], abs=0.02)

    # -1 is the feature code's "unknown passenger count": counted as missing, not as a category.
    pax = profile["columns"]["passenger_count"]
    assert pax["missing"] == pytest.approx(0.1, abs=0.01) and pax["values"] == [1.0]
    assert profile["columns"]["prediction"]["type"] == "numeric"
    assert profile["rows"] == 10_000
    json.dumps(profile)  # plain JSON, for the MLflow artifact


def test_bins_values_on_an_edge_the_way_the_typescript_monitor_does():
    # Edges [1, 2]: x < 1 -> bin 0, 1 <= x < 2 -> bin 1, x >= 2 -> bin 2 (libs/monitor numericBin).
    values = np.array([0.0, 1.0, 1.0, 2.0, 2.0, 2.0])
    profile = reference_profile("tip", values.reshape(-1, 1), ["fare_amount"], values, bins=3)
    column = profile["columns"]["fare_amount"]
    assert column["edges"] == [1.0, 2.0]
    assert column["proportions"] == pytest.approx([1 / 6, 2 / 6, 3 / 6])


def test_rejects_a_feature_matrix_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"\[N, 2\]"):
        reference_profile("tip", np.zeros((3, 3)), ["a", "b"], np.zeros(3))
