"""The Prefect flow that builds, evaluates, exports and registers the ride models.

Tasks: load -> features -> train -> evaluate -> export -> register. Two setups:
* production: train 2023-01..2023-03, validate 2024-01; writes models/ and registers with alias `production`;
* course: train 2021-01, validate 2021-02 (the mlops-zoomcamp comparison); logs one MLflow run, writes nothing.

Tasks pass frames and boosters in memory; `cache_policy=NONE` stops Prefect from hashing those inputs
(it would hash every DataFrame for a cache key we never use).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from . import cards, models, onnx_export, profile, registry, zone_stats
from .data import duration_minutes
from .features import BOROUGHS, EVENT_OF_KIND, FEATURE_NAMES
from .paths import DATA_DIR, MODELS_DIR, REPO_ROOT
from .prepare import Dataset, build_dataset


@dataclass(frozen=True)
class Setup:
    name: str
    train_months: tuple[str, ...]
    valid_month: str


SETUPS = {
    "production": Setup("production", ("2023-01", "2023-02", "2023-03"), "2024-01"),
    "course": Setup("course", ("2021-01",), "2021-02"),
}

REGISTERED = {"duration": "ride-duration", "tip": "ride-tip", "duration-baseline": "ride-duration-baseline"}


@dataclass
class Trained:
    duration: models.BoostResult
    tip: models.BoostResult
    baseline: models.LinearBaseline
    tip_baseline: models.TipRatioBaseline
    zone_stats: zone_stats.ZoneStats
    course_baseline: models.LinearBaseline | None = None
    course_xgb: models.CourseXgbResult | None = None


@dataclass
class Exported:
    graphs: dict[str, onnx.ModelProto]
    parity: dict[str, dict[str, float]]
    baseline_rows_per_second: float


def _scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    return {"rmse": models.rmse(y, p), "mae": models.mae(y, p), "rows": int(len(y))}


@task(cache_policy=NONE)
def load(setup: Setup, data_dir: Path, sample_rows: int | None) -> tuple[Dataset, Dataset]:
    train = build_dataset(setup.train_months, data_dir, sample_rows)
    valid = build_dataset((setup.valid_month,), data_dir, sample_rows)
    get_run_logger().info("rows: train %s | valid %s", train.counts.as_dict(), valid.counts.as_dict())
    return train, valid


@task(cache_policy=NONE)
def featurize(train: Dataset, valid: Dataset) -> tuple[Dataset, Dataset]:
    return train.with_features(), valid.with_features()


@task(cache_policy=NONE)
def train_models(setup: Setup, train: Dataset, valid: Dataset, quick: bool, course_xgb_rounds: int) -> Trained:
    logger = get_run_logger()
    duration_config, tip_config = models.DURATION_CONFIG, models.TIP_CONFIG
    if quick:  # tests: a handful of rounds is enough to exercise every step
        duration_config = replace(duration_config, max_rounds=10)
        tip_config = replace(tip_config, max_rounds=10)
    started = train.events.started
    zone_args = (started["puLocationId"].to_numpy(), started["doLocationId"].to_numpy(), train.planned_distance)
    trained = Trained(
        duration=models.train_booster(
            np.hstack([train.duration_features, zone_stats.out_of_fold(*zone_args, train.duration)]),
            train.duration,
            duration_config,
            age_days=train.age_days,
        ),
        tip=models.train_booster(train.tip_features, train.tip, tip_config),
        baseline=models.LinearBaseline().fit(train.pu_do, train.planned_distance, train.duration),
        tip_baseline=models.TipRatioBaseline().fit(train.tip_fare, train.tip),
        zone_stats=zone_stats.ZoneStats.fit(*zone_args, train.duration),
    )
    logger.info(
        "duration booster: %d trees; tip booster: %d trees",
        trained.duration.best_iteration + 1,
        trained.tip.best_iteration + 1,
    )
    if setup.name == "course":
        course_train = train.course_frame
        trained.course_baseline = models.LinearBaseline().fit(
            models.pu_do(course_train), course_train["trip_distance"].to_numpy(), _course_duration(course_train)
        )
        if course_xgb_rounds > 0:
            course_valid = valid.course_frame
            trained.course_xgb = models.train_course_xgb(
                models.pu_do(course_train),
                course_train["trip_distance"].to_numpy(),
                _course_duration(course_train),
                models.pu_do(course_valid),
                course_valid["trip_distance"].to_numpy(),
                _course_duration(course_valid),
                max_rounds=course_xgb_rounds,
            )
            logger.info(
                "course xgb recipe: best iteration %d of %d",
                trained.course_xgb.best_iteration,
                trained.course_xgb.rounds_trained,
            )
    return trained


def duration_inputs(trained: Trained, data: Dataset) -> np.ndarray:
    """What the native duration booster reads: the ride.started features, then the zone statistics that the
    exported graph computes from them."""
    started = data.events.started
    stats = trained.zone_stats.transform(started["puLocationId"].to_numpy(), started["doLocationId"].to_numpy())
    return np.hstack([data.duration_features, stats])


def _course_duration(frame: pd.DataFrame) -> np.ndarray:
    return duration_minutes(frame).to_numpy(dtype=np.float64)


@task(cache_policy=NONE)
def evaluate(trained: Trained, valid: Dataset) -> dict[str, dict[str, dict[str, float]]]:
    duration = models.predict_booster(trained.duration.booster, duration_inputs(trained, valid))
    metrics: dict[str, dict[str, dict[str, float]]] = {
        "duration": {
            "model": _scores(valid.duration, duration),
            "linear_baseline": _scores(valid.duration, trained.baseline.predict(valid.pu_do, valid.planned_distance)),
        },
        "tip": {
            "model": _scores(valid.tip, models.predict_booster(trained.tip.booster, valid.tip_features)),
            "ratio_baseline": _scores(valid.tip, trained.tip_baseline.predict(valid.tip_fare)),
        },
    }
    if trained.course_baseline is not None:
        course = valid.course_frame
        y = _course_duration(course)
        course_metrics = {
            "linear_baseline_course_filter": _scores(
                y, trained.course_baseline.predict(models.pu_do(course), course["trip_distance"].to_numpy())
            )
        }
        if trained.course_xgb is not None:
            course_metrics["xgb_recipe_course_filter"] = {
                "rmse": trained.course_xgb.valid_rmse,
                "mae": trained.course_xgb.valid_mae,
                "rows": int(len(y)),
                "best_iteration": trained.course_xgb.best_iteration,
            }
        metrics["course"] = course_metrics
    return metrics


@task(cache_policy=NONE)
def export(trained: Trained, valid: Dataset, measure_throughput: bool) -> Exported:
    def meta(key: str, unit: str) -> dict[str, str]:
        return {
            "registered_model_name": REGISTERED[key],
            "unit": unit,
            "event_type": EVENT_OF_KIND[key],
            "feature_names": json.dumps(FEATURE_NAMES[key]),
        }

    pairs, distance_coef, intercept = trained.baseline.weights()
    graphs = {
        "duration": onnx_export.export_booster_with_zone_stats(
            trained.duration.booster,
            trained.zone_stats,
            "ride_duration",
            {**meta("duration", "minutes"), "zone_stat_names": json.dumps(zone_stats.STAT_NAMES)},
            len(FEATURE_NAMES["duration"]),
        ),
        "tip": onnx_export.export_booster(
            trained.tip.booster, "ride_tip", meta("tip", "dollars"), len(FEATURE_NAMES["tip"])
        ),
        "duration-baseline": onnx_export.export_linear_baseline(
            pairs,
            distance_coef,
            intercept,
            "ride_duration_baseline",
            {"registered_model_name": REGISTERED["duration-baseline"], "unit": "minutes"},
        ),
    }
    # Parity on the whole validation month; native models see the float32 values the graph sees.
    # The duration graph reads only the event's features and computes the zone statistics itself; the native
    # booster gets them from the Python tables, so this also checks the in-graph lookup.
    distance32 = valid.planned_distance.astype(np.float32)
    parity = {}
    for key, served, native_input, booster in (
        ("duration", valid.duration_features, duration_inputs(trained, valid), trained.duration.booster),
        ("tip", valid.tip_features, valid.tip_features, trained.tip.booster),
    ):
        onnx_pred = onnx_export.predict_features(onnx_export.session(graphs[key]), served)
        parity[key] = {
            "maxAbsDiff": float(np.max(np.abs(onnx_pred - models.predict_booster(booster, native_input)))),
            "rows": len(served),
        }
    baseline_session = onnx_export.session(graphs["duration-baseline"])
    onnx_pred = onnx_export.predict_baseline(baseline_session, valid.pu_do, distance32)
    native = trained.baseline.predict(valid.pu_do, distance32.astype(np.float64))
    parity["duration-baseline"] = {"maxAbsDiff": float(np.max(np.abs(onnx_pred - native))), "rows": len(distance32)}
    rows_per_second = float("nan")
    if measure_throughput:
        rows_per_second = onnx_export.measure_baseline_throughput(
            baseline_session, valid.pu_do, distance32
        ).rows_per_second
    get_run_logger().info("parity %s; baseline %.0f rows/s", parity, rows_per_second)
    return Exported(graphs=graphs, parity=parity, baseline_rows_per_second=rows_per_second)


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _feature_spec_file(directory: Path, key: str) -> Path:
    path = directory / "feature_spec.json"
    if key == "duration-baseline":
        spec: dict[str, Any] = {
            "event": "ride.started",
            "inputs": {"pu_do": "string [N,1] '<pu>_<do>'", "trip_distance": "float32 [N,1] plannedDistance, miles"},
        }
    else:
        spec = {
            "event": EVENT_OF_KIND[key],
            "input": "features",
            "dtype": "float32",
            "shape": [None, len(FEATURE_NAMES[key])],
            "names": list(FEATURE_NAMES[key]),
            "boroughs": list(BOROUGHS),
        }
        if key == "duration":
            spec["inGraph"] = list(zone_stats.STAT_NAMES)
    path.write_text(json.dumps(spec, indent=2) + "\n")
    return path


MODEL_TEXT = {
    "duration": (
        "ride duration",
        "trip duration from pickup to dropoff (ride.completed occurredAt - startedAt)",
        "minutes",
        "XGBoost regressor scoring ride.started: the 14 FEATURES.md duration features (nothing known after pickup: "
        "no fare, payment or drop-off) plus 10 zone statistics of the training months that the graph computes "
        "from the zone ids (LabelEncoder tables inside model.onnx), squared error.",
    ),
    "tip": (
        "ride tip",
        "ride.paid tipAmount on card rides (paymentType 1)",
        "dollars",
        "XGBoost regressor scoring ride.completed: the 16 FEATURES.md tip features (fare, metered distance and "
        "duration are known at drop-off), absolute-error objective (MAE is the metric).",
    ),
    "duration-baseline": (
        "ride duration baseline",
        "trip duration from pickup to dropoff (ride.completed occurredAt - startedAt)",
        "minutes",
        "The mlops-zoomcamp baseline on ride.started: linear regression on one-hot PU_DO + plannedDistance, "
        "exported as LabelEncoder(pu_do -> weight + intercept) + coef x trip_distance.",
    ),
}


@dataclass
class Publication:
    """What one served model's card is made of, apart from the registry's answers."""

    key: str
    graph: onnx.ModelProto
    params: dict[str, Any]
    metrics: dict[str, dict[str, float]]
    rows: dict[str, Any]
    tags: dict[str, str]


def _publications(
    trained: Trained, train: Dataset, valid: Dataset, metrics: dict[str, Any], exported: Exported, tags: dict[str, str]
) -> list[Publication]:
    rows = {"train": train.counts.as_dict(), "validation": valid.counts.as_dict()}
    duration, tip = metrics["duration"], metrics["tip"]
    pairs, distance_coef, intercept = trained.baseline.weights()
    return [
        Publication(
            "duration",
            exported.graphs["duration"],
            {**trained.duration.config.as_params(), "best_iteration": trained.duration.best_iteration},
            {"model": duration["model"], "linear_baseline": duration["linear_baseline"]},
            rows,
            tags,
        ),
        Publication(
            "tip",
            exported.graphs["tip"],
            {
                **trained.tip.config.as_params(),
                "best_iteration": trained.tip.best_iteration,
                "ratio_baseline": trained.tip_baseline.ratio,
            },
            {"model": tip["model"], "ratio_baseline": tip["ratio_baseline"]},
            rows,
            tags,
        ),
        Publication(
            "duration-baseline",
            exported.graphs["duration-baseline"],
            {"pairs": len(pairs), "distance_coef": distance_coef, "intercept": intercept},
            {"model": duration["linear_baseline"], "refined_duration_model": duration["model"]},
            rows,
            tags,
        ),
    ]


def _model_card(
    pub: Publication, setup: Setup, exported: Exported, model_run: registry.ModelRun, alias: str, sha256: str
) -> dict[str, Any]:
    title, target, unit, description = MODEL_TEXT[pub.key]
    card: dict[str, Any] = {
        "name": title,
        "key": pub.key,
        "description": description,
        "registeredModelName": model_run.registered_name,
        "version": int(model_run.version),
        "alias": alias,
        "mlflowRunId": model_run.run_id,
        "sha256": sha256,
        "onnx": {
            **onnx_export.io_signature(pub.graph),
            "opset": {op.domain or "ai.onnx": op.version for op in pub.graph.opset_import},
            "irVersion": pub.graph.ir_version,
        },
        "eventType": "ride.started" if pub.key == "duration-baseline" else EVENT_OF_KIND[pub.key],
        "featureNames": ["pu_do", "trip_distance"] if pub.key == "duration-baseline" else list(FEATURE_NAMES[pub.key]),
        "boroughs": list(BOROUGHS),
        "target": target,
        "unit": unit,
        "trainMonths": list(setup.train_months),
        "validationMonth": setup.valid_month,
        "rows": pub.rows,
        "metrics": pub.metrics,
        "parity": exported.parity[pub.key],
        "params": pub.params,
        "libraryVersions": cards.library_versions(),
        "gitCommit": pub.tags["git_commit"],
        "createdAt": cards.now_iso(),
        "notes": _notes(pub.key, exported),
    }
    if pub.key == "duration-baseline":
        card["onnxRowsPerSecondBatch4096"] = exported.baseline_rows_per_second
    if pub.key == "duration":
        card["inGraphFeatures"] = {
            "names": list(zone_stats.STAT_NAMES),
            "source": "zone statistics of the training months (zone_stats.py), LabelEncoder tables in model.onnx",
            "prior": zone_stats.PRIOR,
        }
    return card


def _reference_profile(pub: Publication, train: Dataset) -> dict[str, Any] | None:
    """The served columns of the training rows and the exported graph's predictions on them (what the monitor
    compares live windows with). None for the course baseline, which the consumers do not serve."""
    if pub.key not in ("duration", "tip"):
        return None
    matrix = train.duration_features if pub.key == "duration" else train.tip_features
    return profile.profile_of_graph(pub.key, pub.graph.SerializeToString(), matrix, FEATURE_NAMES[pub.key])


def _publish(
    pub: Publication,
    setup: Setup,
    exported: Exported,
    tracking: registry.Tracking,
    models_dir: Path,
    alias: str,
    train: Dataset,
) -> dict[str, str]:
    """One MLflow run: params, metrics, the ONNX model, a registered version whose source is the run's serving
    folder (model.onnx, model.json, reference_profile.json: what models/<key>/ ships), then the alias."""
    directory = models_dir / pub.key
    with registry.model_run(tracking, "ridestream-production", pub.key, {**pub.tags, "model": pub.key}):
        metrics = {
            f"{model}_{name}": float(v)
            for model, values in pub.metrics.items()
            for name, v in values.items()
            if name != "rows"
        }
        metrics["parity_max_abs_diff"] = exported.parity[pub.key]["maxAbsDiff"]
        if pub.key == "duration-baseline" and not np.isnan(exported.baseline_rows_per_second):
            metrics["onnx_rows_per_second_batch4096"] = exported.baseline_rows_per_second
        registry.log_params_metrics(pub.params, metrics)
        registry.log_onnx(pub.graph)
        model_run = registry.register_serving_folder(REGISTERED[pub.key])
        sha256 = onnx_export.save(pub.graph, directory / "model.onnx")
        written = cards.write_card(directory, _model_card(pub, setup, exported, model_run, alias, sha256))
        reference = _reference_profile(pub, train)
        if reference is not None:
            (directory / "reference_profile.json").write_text(json.dumps(reference) + "\n")
            written.append(directory / "reference_profile.json")
        with tempfile.TemporaryDirectory() as scratch:
            files = [directory / "model.onnx", *written, _feature_spec_file(Path(scratch), pub.key)]
            registry.publish_serving(model_run, files, alias)
    return {"version": model_run.version, "run_id": model_run.run_id, "sha256": sha256}


@task(cache_policy=NONE)
def register(
    setup: Setup,
    trained: Trained,
    train: Dataset,
    valid: Dataset,
    metrics: dict[str, Any],
    exported: Exported,
    models_dir: Path,
    tracking_uri: str | None,
    alias: str,
) -> dict[str, Any]:
    """Production: one MLflow run per model, registered, aliased, and written to models/<key>/.
    Course: one MLflow run with the comparison figures, nothing registered or written."""
    tracking = registry.Tracking.resolve(tracking_uri)
    tags = {
        "setup": setup.name,
        "train_months": ",".join(setup.train_months),
        "valid_month": setup.valid_month,
        "git_commit": _git_commit(),
    }
    if setup.name != "production":
        with registry.model_run(tracking, f"ridestream-{setup.name}", f"{setup.name}-comparison", tags) as run_id:
            flat = {
                f"{group}.{model}.{name}": value
                for group, entries in metrics.items()
                for model, values in entries.items()
                for name, value in values.items()
                if not np.isnan(value)
            }
            registry.log_params_metrics(
                {"duration": models.DURATION_CONFIG.as_params(), "tip": models.TIP_CONFIG.as_params()}, flat
            )
        return {"run_id": run_id}
    return {
        pub.key: _publish(pub, setup, exported, tracking, models_dir, alias, train)
        for pub in _publications(trained, train, valid, metrics, exported, tags)
    }


def _notes(key: str, exported: Exported) -> list[str]:
    notes = [
        f"ONNX vs native max abs difference on the validation month: {exported.parity[key]['maxAbsDiff']:.2e} "
        f"over {exported.parity[key]['rows']} rows (native inference on the same float32 inputs).",
        "Cleaning: rides whose three v2 events are contract-valid (FEATURES.md) with 1 <= duration <= 60 min; "
        "tip: card rides only. Features are built from the events only (training/ridestream_training/events.py).",
    ]
    if key == "tip":
        notes.append("Baseline: median tip/fare ratio of the training card rides x fare.")
    if key == "duration":
        notes.append(
            "No fare, payment type or drop-off time: ride.started does not carry them (the metered fare is a "
            "function of the duration itself). Zone statistics are out-of-fold on the training rows."
        )
    if key == "duration-baseline":
        notes.append(
            f"Throughput (onnxruntime, Python, batch 4096, 1 session): {exported.baseline_rows_per_second:,.0f} rows/s."
        )
        notes.append("Unknown PU_DO pairs score as intercept + coef x distance (an all-zero one-hot row).")
    return notes


@flow(name="ride-models", log_prints=True)
def ride_models(
    setup: str = "production",
    data_dir: Path = DATA_DIR,
    models_dir: Path = MODELS_DIR,
    tracking_uri: str | None = None,
    sample_rows: int | None = None,
    quick: bool = False,
    course_xgb_rounds: int = 300,
    alias: str = registry.PRODUCTION_ALIAS,
) -> dict[str, Any]:
    """Build the ride models. Returns the metrics, parity, throughput and (production) registered versions."""
    if setup not in SETUPS:
        raise ValueError(f"unknown setup {setup!r}; expected one of {sorted(SETUPS)}")
    chosen = SETUPS[setup]
    train, valid = load(chosen, Path(data_dir), sample_rows)
    train, valid = featurize(train, valid)
    trained = train_models(chosen, train, valid, quick, course_xgb_rounds)
    metrics = evaluate(trained, valid)
    exported = export(trained, valid, measure_throughput=not quick)
    registered = register(chosen, trained, train, valid, metrics, exported, Path(models_dir), tracking_uri, alias)
    return {
        "setup": setup,
        "metrics": metrics,
        "parity": exported.parity,
        "baseline_rows_per_second": exported.baseline_rows_per_second,
        "rows": {"train": train.counts.as_dict(), "validation": valid.counts.as_dict()},
        "registered": registered,
    }
