"""Model cards: `model.json` (machine-readable, read by the TypeScript side and CI) and `MODEL_CARD.md`."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

LIBRARIES = (
    "numpy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "xgboost-cpu",
    "onnx",
    "onnxruntime",
    "onnxmltools",
    "skl2onnx",
    "mlflow-skinny",
    "prefect",
)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _describe(values: list[dict[str, Any]]) -> str:
    return ", ".join(f"`{v['name']}` {v['type']} {v['shape']}" for v in values)


def write_card(directory: Path, card: dict[str, Any]) -> list[Path]:
    """Write model.json and MODEL_CARD.md beside model.onnx; returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / "model.json"
    json_path.write_text(json.dumps(card, indent=2) + "\n")

    metrics = card["metrics"]
    rows = card["rows"]
    lines = [
        f"# {card['name']} ({card['registeredModelName']} v{card['version']}, alias `{card['alias']}`)",
        "",
        card["description"],
        "",
        f"- Target: {card['target']} ({card['unit']})",
        f"- Trained on {', '.join(card['trainMonths'])}; validated on {card['validationMonth']} (green taxi, NYC TLC).",
        f"- ONNX: inputs {_describe(card['onnx']['inputs'])}; output {_describe(card['onnx']['outputs'])}.",
        f"- sha256 of model.onnx: `{card['sha256']}`; MLflow run `{card['mlflowRunId']}`.",
        "",
        "## Validation metrics",
        "",
        "| model | rows | rmse | mae |",
        "|---|---:|---:|---:|",
    ]
    for name, values in metrics.items():
        lines.append(f"| {name} | {values['rows']} | {_fmt(values['rmse'])} | {_fmt(values['mae'])} |")
    lines += [
        "",
        "## Rows",
        "",
        "| set | read | rejected by contract | duration out of 1..60 | duration rows | card (tip) rows |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, counts in rows.items():
        lines.append(
            f"| {name} | {counts['read']} | {counts['rejectedByContract']} | {counts['durationOutOfRange']}"
            f" | {counts['durationRows']} | {counts['tipRows']} |"
        )
    lines += ["", "Rejected by contract, by reason (a row can break several rules):", ""]
    for name, counts in rows.items():
        reasons = ", ".join(f"{k} {v}" for k, v in counts["rejectedByReason"].items() if v) or "none"
        lines.append(f"- {name}: {reasons}")
    lines += ["", "## Notes", ""] + [f"- {note}" for note in card.get("notes", [])]
    lines += ["", f"Created {card['createdAt']} by `training/bin/train`.", ""]
    md_path = directory / "MODEL_CARD.md"
    md_path.write_text("\n".join(lines))
    return [json_path, md_path]
