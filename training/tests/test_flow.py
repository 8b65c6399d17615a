"""The Prefect flow end to end on a small sample, logging to a throwaway MLflow store."""

from __future__ import annotations

import json
from pathlib import Path

from ridestream_training import registry
from ridestream_training.flow import REGISTERED, ride_models


def test_flow_registers_models_with_the_production_alias(tmp_path: Path) -> None:
    tracking_uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    models_dir = tmp_path / "models"
    result = ride_models(
        setup="production", models_dir=models_dir, tracking_uri=tracking_uri, sample_rows=2000, quick=True
    )

    tracking = registry.Tracking.resolve(tracking_uri)
    for key, name in REGISTERED.items():
        version = registry.version_by_alias(tracking, name, "production")
        assert version == result["registered"][key]["version"]
        card = json.loads((models_dir / key / "model.json").read_text())
        assert card["version"] == int(version) and card["registeredModelName"] == name
        assert card["mlflowRunId"] == result["registered"][key]["run_id"]
        assert (models_dir / key / "model.onnx").stat().st_size > 0
        assert (models_dir / key / "MODEL_CARD.md").read_text().startswith("# ")
        artifacts = {a.path for a in tracking.client().list_artifacts(card["mlflowRunId"], "serving")}
        assert {
            "serving/model.onnx",
            "serving/model.json",
            "serving/MODEL_CARD.md",
            "serving/feature_spec.json",
        } <= artifacts
        # The registered version points at that folder: what `models:/<name>@production` serves.
        source = tracking.client().get_model_version(name, version).source
        assert source == f"runs:/{card['mlflowRunId']}/serving"
        if key in ("duration", "tip"):
            assert "serving/reference_profile.json" in artifacts
            reference = json.loads((models_dir / key / "reference_profile.json").read_text())
            assert reference["kind"] == key and set(card["featureNames"]) | {"prediction"} == set(reference["columns"])
            assert abs(sum(reference["columns"]["prediction"]["proportions"]) - 1) < 1e-9
        assert result["parity"][key]["maxAbsDiff"] <= 1e-3
    assert result["rows"]["train"]["read"] == 3 * 2000
    assert (tmp_path / "artifacts").is_dir()  # artifacts beside the tmp database, not in the repo


def test_course_setup_reports_the_comparison_and_writes_nothing(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    result = ride_models(
        setup="course",
        models_dir=models_dir,
        tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        sample_rows=3000,
        quick=True,
        course_xgb_rounds=3,
    )
    assert set(result["metrics"]["course"]) == {"linear_baseline_course_filter", "xgb_recipe_course_filter"}
    assert result["rows"]["validation"]["read"] == 3000
    assert not models_dir.exists()
    assert "run_id" in result["registered"]
