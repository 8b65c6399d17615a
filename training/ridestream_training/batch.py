"""Batch scoring of a month, as the course deploys it (mlops-zoomcamp week 4): a Prefect flow that reads one TLC
month, turns it into v2 events as replay does, scores every valid `ride.started` with the duration model and every
valid `ride.completed` with the tip model (the shipped ONNX files, the same graphs the consumers serve), and writes
one parquet of predictions:

    <output_dir>/predictions-<YYYY-MM>.parquet
    columns: prediction_id, ride_id, event_type, event_id, event_time, kind, model_name, model_version, value

`prediction_id` is the one the streaming consumers stamp (sha256 of kind, model name, model version, event id; first
128 bits, libs/features/src/prediction.ts), so batch and stream outputs of the same event join or deduplicate.
deploy.py schedules this flow monthly beside the training flow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from . import contract, data, onnx_export
from .events import COMPLETED, STARTED, event_frames
from .features import EVENT_OF_KIND, FEATURE_NAMES, duration_features, tip_features
from .paths import CACHE_DIR, DATA_DIR, MODELS_DIR, month_file

OUTPUT_DIR = CACHE_DIR / "batch"
SCHEMA = pa.schema(
    [
        ("prediction_id", pa.string()),
        ("ride_id", pa.string()),
        ("event_type", pa.string()),
        ("event_id", pa.string()),
        ("event_time", pa.timestamp("us", tz="UTC")),
        ("kind", pa.string()),
        ("model_name", pa.string()),
        ("model_version", pa.string()),
        ("value", pa.float32()),
    ]
)
_SUFFIX = {STARTED: "started", COMPLETED: "completed"}


class BatchModelError(ValueError):
    """A model directory whose card does not match the features this flow computes (wrong kind or columns)."""


def previous_month(now: datetime) -> str:
    """The month before `now` as YYYY-MM: a run on 2024-02-03 scores 2024-01."""
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def prediction_ids(kind: str, model_name: str, model_version: str, event_ids: pd.Series) -> list[str]:
    prefix = f"{kind}\0{model_name}\0{model_version}\0"
    return [sha256((prefix + e).encode()).hexdigest()[:32] for e in event_ids]


@dataclass(frozen=True)
class ServedModel:
    kind: str
    name: str
    version: str
    path: Path

    @staticmethod
    def load(models_dir: Path, kind: str) -> ServedModel:
        directory = models_dir / kind
        card = json.loads((directory / "model.json").read_text())
        if card.get("featureNames") != list(FEATURE_NAMES[kind]) or card.get("eventType") != EVENT_OF_KIND[kind]:
            raise BatchModelError(
                f"{directory}/model.json: featureNames/eventType {card.get('featureNames')} / {card.get('eventType')}"
                f" do not match the {kind} features of {EVENT_OF_KIND[kind]}; retrain with training/bin/train"
            )
        return ServedModel(kind, card["registeredModelName"], str(card["version"]), directory / "model.onnx")


@task(cache_policy=NONE)
def score_month(month: str, data_dir: Path, models_dir: Path, sample_rows: int | None) -> pd.DataFrame:
    frame = data.load_month(month_file(month, data_dir))
    if sample_rows is not None and sample_rows < len(frame):
        frame = frame.sample(n=sample_rows, random_state=0).sort_index().reset_index(drop=True)
    events = event_frames(frame)
    valid = contract.check_events(events).valid_by_event
    parts = []
    for kind, rows, featurize in (
        ("duration", events.started[valid[STARTED]], duration_features),
        ("tip", events.completed[valid[COMPLETED]], tip_features),
    ):
        model = ServedModel.load(models_dir, kind)
        values = onnx_export.predict_features(onnx_export.session(model.path), featurize(rows))
        event_type = EVENT_OF_KIND[kind]
        event_ids = rows["rideId"] + f":{_SUFFIX[event_type]}"
        parts.append(
            pd.DataFrame(
                {
                    "prediction_id": prediction_ids(kind, model.name, model.version, event_ids),
                    "ride_id": rows["rideId"].to_numpy(),
                    "event_type": event_type,
                    "event_id": event_ids.to_numpy(),
                    "event_time": rows["occurredAt"].dt.tz_convert("UTC").to_numpy(),
                    "kind": kind,
                    "model_name": model.name,
                    "model_version": model.version,
                    "value": values.astype(np.float32),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@task(cache_policy=NONE)
def write_parquet(predictions: pd.DataFrame, month: str, output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / f"predictions-{month}.parquet"
    table = pa.Table.from_pandas(predictions, schema=SCHEMA, preserve_index=False)
    pq.write_table(table, path, compression="zstd")
    return path


@flow(name="ride-batch-scoring", log_prints=True)
def ride_batch(
    month: str | None = None,
    data_dir: Path = DATA_DIR,
    models_dir: Path = MODELS_DIR,
    output_dir: Path = OUTPUT_DIR,
    sample_rows: int | None = None,
) -> dict[str, object]:
    """Score one month (default: the month before the run's scheduled time) and write its parquet."""
    if month is None:
        from prefect.runtime import flow_run

        month = previous_month(flow_run.scheduled_start_time)
    predictions = score_month(month, Path(data_dir), Path(models_dir), sample_rows)
    path = write_parquet(predictions, month, Path(output_dir))
    counts = predictions["kind"].value_counts().to_dict()
    get_run_logger().info("scored %s: %s -> %s", month, counts, path)
    return {"month": month, "path": str(path), "rows": {k: int(v) for k, v in counts.items()}}
