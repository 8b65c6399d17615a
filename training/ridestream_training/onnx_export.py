"""ONNX graphs for the served models and the compact linear baseline.

Opsets are fixed for onnxruntime-node 1.30 (package.json): default domain 15, ai.onnx.ml 2 (LabelEncoder with
string keys -> float values), IR version 8. No DictVectorizer, no ZipMap: onnxruntime-node cannot feed maps
or read sequence-of-map outputs (see TRAPS.md).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxmltools
import onnxruntime as ort
import xgboost as xgb
from onnx import TensorProto, helper
from onnxmltools.convert.common.data_types import FloatTensorType

from . import zone_stats
from .features import DO_COLUMN, PU_COLUMN

OPSET = 15  # onnxmltools' XGBoost converter supports up to 15
ML_OPSET = 2
IR_VERSION = 8
FEATURES_INPUT = "features"
PREDICTION_OUTPUT = "prediction"


def _rename_value(graph: onnx.GraphProto, old: str, new: str) -> None:
    if old == new:
        return
    for node in graph.node:
        node.input[:] = [new if name == old else name for name in node.input]
        node.output[:] = [new if name == old else name for name in node.output]
    for value in list(graph.input) + list(graph.output) + list(graph.value_info):
        if value.name == old:
            value.name = new


def _finish(model: onnx.ModelProto, name: str, metadata: dict[str, str]) -> onnx.ModelProto:
    model.ir_version = IR_VERSION
    model.producer_name = "ridestream-training"
    model.graph.name = name
    del model.metadata_props[:]
    for key, value in metadata.items():
        model.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(model)
    return model


def _convert_booster(booster: xgb.Booster, name: str, input_name: str, width: int) -> onnx.ModelProto:
    model = onnxmltools.convert_xgboost(
        booster, initial_types=[(input_name, FloatTensorType([None, width]))], target_opset=OPSET
    )
    outputs = list(model.graph.output)
    if len(outputs) != 1:
        raise ValueError(f"{name}: expected one output from the XGBoost converter, got {[o.name for o in outputs]}")
    _rename_value(model.graph, outputs[0].name, PREDICTION_OUTPUT)
    return model


def export_booster(booster: xgb.Booster, name: str, metadata: dict[str, str], width: int) -> onnx.ModelProto:
    """features float32 [N, width] -> prediction float32 [N, 1]."""
    return _finish(_convert_booster(booster, name, FEATURES_INPUT, width), name, metadata)


def export_booster_with_zone_stats(
    booster: xgb.Booster, stats: zone_stats.ZoneStats, name: str, metadata: dict[str, str], width: int
) -> onnx.ModelProto:
    """features float32 [N, width] -> prediction float32 [N, 1], for a booster trained on the features followed by
    the zone statistics (zone_stats.STAT_NAMES).

    The graph computes the statistics itself, so serving sends only the event's features: it gathers the pickup
    and drop-off zone columns, forms the pair key pu * 1000 + do (exact in float32), looks each statistic up in a
    LabelEncoder (float key -> float value, the training months' table, the global value for unknown keys),
    concatenates them after the features and feeds the tree ensemble.
    """
    inner = "features_with_zone_stats"
    model = _convert_booster(booster, name, inner, width + len(zone_stats.STAT_NAMES))
    graph = model.graph
    const = [
        helper.make_tensor("pu_column", TensorProto.INT64, [1], [PU_COLUMN]),
        helper.make_tensor("do_column", TensorProto.INT64, [1], [DO_COLUMN]),
        helper.make_tensor("pair_key_base", TensorProto.FLOAT, [1], [zone_stats.PAIR_KEY_BASE]),
    ]
    nodes = [
        helper.make_node("Gather", [FEATURES_INPUT, "pu_column"], ["pu"], axis=1),
        helper.make_node("Gather", [FEATURES_INPUT, "do_column"], ["do"], axis=1),
        helper.make_node("Mul", ["pu", "pair_key_base"], ["pu_scaled"]),
        helper.make_node("Add", ["pu_scaled", "do"], ["pair"]),
    ]
    stat_outputs = []
    for stat, column, table in stats.tables():
        nodes.append(
            helper.make_node(
                "LabelEncoder",
                [column],
                [stat],
                domain="ai.onnx.ml",
                keys_floats=[float(k) for k in table.keys],
                values_floats=[float(v) for v in table.values],
                default_float=float(table.default),
            )
        )
        stat_outputs.append(stat)
    nodes.append(helper.make_node("Concat", [FEATURES_INPUT, *stat_outputs], [inner], axis=1))
    merged = helper.make_graph(
        nodes + list(graph.node),
        name,
        inputs=[helper.make_tensor_value_info(FEATURES_INPUT, TensorProto.FLOAT, [None, width])],
        outputs=list(graph.output),
        initializer=list(graph.initializer) + const,
    )
    opsets = {op.domain: op.version for op in model.opset_import}
    opsets[""] = max(opsets.get("", 0), OPSET)  # Gather/Mul/Add/Concat; a bare tree ensemble imports only ml
    # LabelEncoder with float keys needs ai.onnx.ml 2; the converter's TreeEnsembleRegressor (ml 1) is unchanged in 2.
    opsets["ai.onnx.ml"] = max(opsets.get("ai.onnx.ml", 1), ML_OPSET)
    wrapped = helper.make_model(merged, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()])
    return _finish(wrapped, name, metadata)


def export_linear_baseline(
    pair_weights: dict[str, float], distance_coef: float, intercept: float, name: str, metadata: dict[str, str]
) -> onnx.ModelProto:
    """pu_do string [N, 1] + trip_distance float32 [N, 1] -> prediction float32 [N, 1].

    The one-hot x coefficient product of the linear regression is a lookup: a LabelEncoder maps the PU_DO
    string to its coefficient plus the intercept (folded in float64 before the one float32 rounding), and
    unknown pairs get the intercept alone, as an all-zero one-hot row would. Then + distance coefficient x
    distance. A dense one-hot graph runs ~100x slower (TRAPS.md).
    """
    keys = sorted(pair_weights)
    values = [float(np.float32(pair_weights[k] + intercept)) for k in keys]
    nodes = [
        helper.make_node(
            "LabelEncoder",
            ["pu_do"],
            ["pair_weight"],
            domain="ai.onnx.ml",
            keys_strings=keys,
            values_floats=values,
            default_float=float(np.float32(intercept)),
        ),
        helper.make_node("Mul", ["trip_distance", "distance_coef"], ["distance_term"]),
        helper.make_node("Add", ["pair_weight", "distance_term"], [PREDICTION_OUTPUT]),
    ]
    graph = helper.make_graph(
        nodes,
        name,
        inputs=[
            helper.make_tensor_value_info("pu_do", TensorProto.STRING, [None, 1]),
            helper.make_tensor_value_info("trip_distance", TensorProto.FLOAT, [None, 1]),
        ],
        outputs=[helper.make_tensor_value_info(PREDICTION_OUTPUT, TensorProto.FLOAT, [None, 1])],
        initializer=[helper.make_tensor("distance_coef", TensorProto.FLOAT, [1], [distance_coef])],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("ai.onnx.ml", ML_OPSET)]
    )
    return _finish(model, name, metadata)


def save(model: onnx.ModelProto, path: Path) -> str:
    """Write the model and return the sha256 of the written bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = model.SerializeToString()
    path.write_bytes(payload)
    return hashlib.sha256(payload).hexdigest()


def session(model: onnx.ModelProto | Path) -> ort.InferenceSession:
    source = str(model) if isinstance(model, Path) else model.SerializeToString()
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def predict_features(sess: ort.InferenceSession, features: np.ndarray) -> np.ndarray:
    """prediction [N] for a float32 [N, features] matrix."""
    out = sess.run([PREDICTION_OUTPUT], {FEATURES_INPUT: np.asarray(features, dtype=np.float32)})[0]
    return out.reshape(-1)


def predict_baseline(sess: ort.InferenceSession, pairs: np.ndarray, distance: np.ndarray) -> np.ndarray:
    feeds = {
        "pu_do": np.asarray(pairs, dtype=object).reshape(-1, 1),
        "trip_distance": np.asarray(distance, dtype=np.float32).reshape(-1, 1),
    }
    return sess.run([PREDICTION_OUTPUT], feeds)[0].reshape(-1)


def io_signature(model: onnx.ModelProto) -> dict[str, list[dict[str, object]]]:
    """Input/output names, element types and shapes (None for the batch dimension), for model cards."""

    def describe(values: list[onnx.ValueInfoProto]) -> list[dict[str, object]]:
        described = []
        for value in values:
            tensor = value.type.tensor_type
            shape = [d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim]
            described.append(
                {"name": value.name, "type": TensorProto.DataType.Name(tensor.elem_type).lower(), "shape": shape}
            )
        return described

    return {"inputs": describe(list(model.graph.input)), "outputs": describe(list(model.graph.output))}


@dataclass
class Throughput:
    rows_per_second: float
    batch_size: int
    batches: int


def measure_baseline_throughput(
    sess: ort.InferenceSession, pairs: np.ndarray, distance: np.ndarray, batch_size: int = 4096, seconds: float = 2.0
) -> Throughput:
    """Rows/s of the baseline graph at a fixed batch size, cycling over real validation rows."""
    rng = np.random.default_rng(0)
    index = rng.integers(0, len(pairs), size=batch_size * 8)
    batches = [
        {
            "pu_do": np.asarray(pairs[index[i : i + batch_size]], dtype=object).reshape(-1, 1),
            "trip_distance": np.asarray(distance[index[i : i + batch_size]], dtype=np.float32).reshape(-1, 1),
        }
        for i in range(0, len(index), batch_size)
    ]
    sess.run([PREDICTION_OUTPUT], batches[0])  # warm-up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        sess.run([PREDICTION_OUTPUT], batches[done % len(batches)])
        done += 1
    elapsed = time.perf_counter() - start
    return Throughput(rows_per_second=done * batch_size / elapsed, batch_size=batch_size, batches=done)
