"""Load and validate TLC green-taxi parquet months.

TLC releases disagree on column types (2021..2023-01: int64 ids and double RatecodeID/passenger_count/
payment_type; 2023-02+: int32 ids and int64 counts). `load_month` checks the arrow schema before reading and
returns one normalised frame layout for every year, so the rest of the pipeline never sees the difference.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PICKUP = "lpep_pickup_datetime"
DROPOFF = "lpep_dropoff_datetime"

TIMESTAMP_COLUMNS = (PICKUP, DROPOFF)
# Normalised to float64 with NaN for null: one dtype covers the int32/int64/double variants of the releases,
# and integrality is checked by the event contract (contract.py) rather than by the loader.
NUMERIC_COLUMNS = (
    "VendorID",
    "PULocationID",
    "DOLocationID",
    "passenger_count",
    "trip_distance",
    "fare_amount",
    "tip_amount",
    "total_amount",
    "payment_type",
)
REQUIRED_COLUMNS = TIMESTAMP_COLUMNS + NUMERIC_COLUMNS

_MONTH_IN_NAME = re.compile(r"(\d{4}-\d{2})")


class TripDataError(ValueError):
    """A TLC file that cannot be used. `code` is one of UNREADABLE, MISSING_COLUMN, WRONG_TYPE, NO_ROWS;
    the message always names the file, and the column when one is at fault."""

    def __init__(self, code: str, path: Path, column: str | None, detail: str) -> None:
        where = f"{path}" + (f": column '{column}'" if column else "")
        super().__init__(f"{where}: {detail}")
        self.code = code
        self.path = path
        self.column = column


def month_of(path: Path) -> str:
    """The YYYY-MM in a TLC file name (used in ride ids); the file stem when the name has none."""
    found = _MONTH_IN_NAME.search(path.name)
    return found.group(1) if found else path.stem


def _check_schema(path: Path, schema: pa.Schema) -> None:
    for column in REQUIRED_COLUMNS:
        if column not in schema.names:
            raise TripDataError("MISSING_COLUMN", path, column, f"missing (the file has: {', '.join(schema.names)})")
        kind = schema.field(column).type
        if column in TIMESTAMP_COLUMNS:
            if not pa.types.is_timestamp(kind):
                raise TripDataError("WRONG_TYPE", path, column, f"has type {kind}, expected a timestamp")
            if kind.tz is not None:
                # TLC timestamps are naive New York wall-clock time; a zoned column means another producer.
                raise TripDataError("WRONG_TYPE", path, column, f"has type {kind}, expected a naive timestamp")
        elif not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
            raise TripDataError("WRONG_TYPE", path, column, f"has type {kind}, expected an integer or float")


def load_month(path: Path | str) -> pd.DataFrame:
    """Read one TLC parquet file into the normalised layout.

    Columns: the REQUIRED_COLUMNS (timestamps as naive datetime64[us], numbers as float64 with NaN for null),
    plus `month` (YYYY-MM from the file name) and `row_index` (position in the file), which together form the
    replay ride id `<month>-<row_index>`.
    """
    path = Path(path)
    if not path.is_file():
        raise TripDataError("UNREADABLE", path, None, "file not found")
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError) as err:
        raise TripDataError("UNREADABLE", path, None, f"not a readable parquet file ({err})") from err
    _check_schema(path, schema)
    table = pq.read_table(path, columns=list(REQUIRED_COLUMNS))
    if table.num_rows == 0:
        raise TripDataError("NO_ROWS", path, None, "has no rows")

    frame = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    for column in TIMESTAMP_COLUMNS:
        frame[column] = table.column(column).cast(pa.timestamp("us")).to_pandas()
    for column in NUMERIC_COLUMNS:
        frame[column] = table.column(column).cast(pa.float64()).to_numpy(zero_copy_only=False)
    frame["month"] = month_of(path)
    frame["row_index"] = np.arange(table.num_rows, dtype=np.int64)
    return frame


def load_months(paths: list[Path]) -> pd.DataFrame:
    """Several months stacked in the given order (row_index stays per file)."""
    return pd.concat([load_month(p) for p in paths], ignore_index=True)


def duration_minutes(frame: pd.DataFrame) -> pd.Series:
    """Ride duration (dropoff - pickup) in minutes, float64."""
    return (frame[DROPOFF] - frame[PICKUP]).dt.total_seconds() / 60.0
