"""Where things live in the repository. Every default path is derived from this file's location, so the
scripts work from any current directory."""

from __future__ import annotations

from pathlib import Path

TRAINING_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = TRAINING_DIR.parent
DATA_DIR = REPO_ROOT / "data" / "tlc"
ZONES_CSV = DATA_DIR / "taxi_zone_lookup.csv"
MODELS_DIR = REPO_ROOT / "models"
CACHE_DIR = REPO_ROOT / ".cache"
GOLDEN_FILE = REPO_ROOT / "libs" / "features" / "test" / "fixtures" / "golden-features.jsonl"


def month_file(month: str, data_dir: Path = DATA_DIR) -> Path:
    """Path of the green-taxi parquet file for a month written as YYYY-MM."""
    return data_dir / f"green_tripdata_{month}.parquet"
