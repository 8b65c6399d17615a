"""MLflow helpers: where tracking lives, one run per model, registration and aliases.

Default store: SQLite at <repo>/.cache/mlflow/mlflow.db with artifacts in <repo>/.cache/mlflow/artifacts
(.cache/ is gitignored). MLFLOW_TRACKING_URI overrides the store; for any sqlite:/// store the artifacts go to
an `artifacts` folder beside the database file, so a test's tmp_path store leaves nothing in the repo. A tracking
server (http://...) keeps its own artifact store (tools/mlflow's proxies them to S3): its experiments get no local
location, or serving on another machine would be pointed at this one's disk.

`python -m ridestream_training.registry publish --name ride-duration --folder models/duration --alias challenger`
registers a serving folder that already exists (a shipped model, a model built elsewhere) through the same calls
training makes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import onnx
from mlflow.tracking import MlflowClient

from .paths import CACHE_DIR

PRODUCTION_ALIAS = "production"


@dataclass(frozen=True)
class Tracking:
    tracking_uri: str
    # None: a tracking server, which chooses where artifacts go.
    artifact_root: Path | None

    @staticmethod
    def resolve(tracking_uri: str | None = None) -> Tracking:
        """Explicit argument, then MLFLOW_TRACKING_URI (empty counts as unset), then the repo's SQLite file."""
        uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or ""
        if not uri:
            database = CACHE_DIR / "mlflow" / "mlflow.db"
            uri = f"sqlite:///{database}"
        if uri.startswith("sqlite:///"):
            database = Path(uri.removeprefix("sqlite:///"))
            database.parent.mkdir(parents=True, exist_ok=True)
            artifact_root = database.parent / "artifacts"
        elif uri.startswith(("http://", "https://")):
            artifact_root = None
        else:
            artifact_root = CACHE_DIR / "mlflow" / "artifacts"
        return Tracking(tracking_uri=uri, artifact_root=artifact_root)

    def client(self) -> MlflowClient:
        return MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)

    def experiment_id(self, name: str) -> str:
        """Create the experiment on first use, with its artifacts under artifact_root (not ./mlruns of the cwd), or
        where the tracking server puts them."""
        client = self.client()
        existing = client.get_experiment_by_name(name)
        if existing is not None:
            return existing.experiment_id
        if self.artifact_root is None:
            return client.create_experiment(name)
        location = (self.artifact_root / name).resolve()
        location.mkdir(parents=True, exist_ok=True)
        return client.create_experiment(name, artifact_location=location.as_uri())


def quiet_mlflow() -> None:
    """MLflow logs Alembic migrations and signature hints at INFO/WARN on every fresh store; keep the
    pipeline output to our own lines."""
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="mlflow")


@dataclass
class ModelRun:
    run_id: str
    registered_name: str
    version: str


@contextmanager
def model_run(tracking: Tracking, experiment: str, run_name: str, tags: Mapping[str, str]) -> Iterator[str]:
    """An open MLflow run (its id is yielded); the run is ended, failed or not, on exit."""
    quiet_mlflow()
    mlflow.set_tracking_uri(tracking.tracking_uri)
    mlflow.set_registry_uri(tracking.tracking_uri)
    experiment_id = tracking.experiment_id(experiment)
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name, tags=dict(tags)) as run:
        yield run.info.run_id


def log_params_metrics(params: Mapping[str, Any], metrics: Mapping[str, float]) -> None:
    mlflow.log_params({k: str(v)[:500] for k, v in params.items()})
    mlflow.log_metrics({k: float(v) for k, v in metrics.items()})


# The run folder that serving reads (`runs:/<run id>/serving`): model.onnx, its card model.json and the reference
# profile, exactly what models/<key>/ ships. A registered version's source points at it, so `models:/<name>@<alias>`
# resolves to files the TypeScript model store can check (sha256, feature names) without MLflow's Python flavor.
SERVING_ARTIFACT_PATH = "serving"


def log_onnx(model: onnx.ModelProto) -> None:
    """Log the ONNX model to the active run in MLflow's own format (for MLflow tooling; serving reads the folder)."""
    if mlflow.active_run() is None:
        raise RuntimeError("log_onnx needs an active MLflow run (use model_run)")
    mlflow.onnx.log_model(model, name="model", save_as_external_data=False)  # one self-contained file


def register_serving_folder(registered_name: str) -> ModelRun:
    """Register a new version of `registered_name` whose source is the active run's serving folder. No alias yet:
    `publish_serving` sets it once the folder holds its files, so an alias never points at an empty folder."""
    run = mlflow.active_run()
    if run is None:
        raise RuntimeError("register_serving_folder needs an active MLflow run (use model_run)")
    client = MlflowClient()
    try:
        client.create_registered_model(registered_name)
    except mlflow.exceptions.MlflowException as err:
        if "RESOURCE_ALREADY_EXISTS" not in str(err.error_code):
            raise
    version = client.create_model_version(
        registered_name, source=f"runs:/{run.info.run_id}/{SERVING_ARTIFACT_PATH}", run_id=run.info.run_id
    )
    return ModelRun(run_id=run.info.run_id, registered_name=registered_name, version=str(version.version))


def publish_serving(model_run: ModelRun, files: list[Path], alias: str | None) -> None:
    """Upload the serving folder of a registered version, then point `alias` at it."""
    log_files(files, SERVING_ARTIFACT_PATH)
    if alias:
        MlflowClient().set_registered_model_alias(model_run.registered_name, alias, model_run.version)


def log_files(paths: list[Path], artifact_path: str) -> None:
    for path in paths:
        mlflow.log_artifact(str(path), artifact_path=artifact_path)


def version_by_alias(tracking: Tracking, registered_name: str, alias: str = PRODUCTION_ALIAS) -> str:
    """The version number the alias points at (raises if the alias or the model does not exist)."""
    return str(tracking.client().get_model_version_by_alias(registered_name, alias).version)


# What a serving folder holds, in upload order (models/<key>/ ships all but feature_spec.json).
SERVING_FILES = ("model.onnx", "model.json", "MODEL_CARD.md", "reference_profile.json", "feature_spec.json")


def publish_folder(
    tracking: Tracking,
    registered_name: str,
    folder: Path,
    alias: str | None,
    experiment: str = "ridestream-production",
) -> ModelRun:
    """Register an existing serving folder as a new version of `registered_name` the way training does: one run, a
    version whose source is its serving folder, the files, then the alias."""
    files = [folder / name for name in SERVING_FILES if (folder / name).is_file()]
    if not any(f.name == "model.onnx" for f in files) or not any(f.name == "model.json" for f in files):
        raise FileNotFoundError(f"{folder}: a serving folder needs model.onnx and model.json")
    with model_run(tracking, experiment, f"publish-{registered_name}", {"source_folder": str(folder)}):
        run = register_serving_folder(registered_name)
        publish_serving(run, files, alias)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ridestream_training.registry")
    commands = parser.add_subparsers(dest="command", required=True)
    publish = commands.add_parser("publish", help="register a serving folder as a new version, then set the alias")
    publish.add_argument("--name", required=True, help="registered model name, e.g. ride-duration")
    publish.add_argument("--folder", type=Path, required=True, help="holds model.onnx and model.json")
    publish.add_argument("--alias", default=None, help="point this alias at the new version")
    publish.add_argument("--tracking-uri", default=None, help="default: MLFLOW_TRACKING_URI, then the repo's SQLite")
    publish.add_argument("--experiment", default="ridestream-production", help="default: the one training logs to")
    args = parser.parse_args(argv)
    run = publish_folder(Tracking.resolve(args.tracking_uri), args.name, args.folder, args.alias, args.experiment)
    print(json.dumps({"name": run.registered_name, "version": run.version, "run_id": run.run_id, "alias": args.alias}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
