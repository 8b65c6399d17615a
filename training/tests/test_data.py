"""The TLC loader: one normalised layout for every release, and errors that name the file and the column."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ridestream_training import data
from ridestream_training.paths import month_file


def _write(tmp_path: Path, table: pa.Table, name: str = "green_tripdata_2099-01.parquet") -> Path:
    path = tmp_path / name
    pq.write_table(table, path)
    return path


def _small_table(n: int = 5) -> pa.Table:
    return pq.read_table(month_file("2024-01")).slice(0, n)


@pytest.mark.parametrize("month", ["2021-01", "2023-01", "2023-02", "2024-01"])
def test_returns_one_layout_for_every_release(month: str) -> None:
    frame = data.load_month(month_file(month))
    assert list(frame.columns) == [*data.REQUIRED_COLUMNS, "month", "row_index"]
    for column in data.TIMESTAMP_COLUMNS:
        assert str(frame[column].dtype) == "datetime64[us]"
    for column in data.NUMERIC_COLUMNS:
        assert str(frame[column].dtype) == "float64"
    assert frame["month"].iloc[0] == month
    assert frame["row_index"].iloc[-1] == len(frame) - 1


def test_fails_when_a_column_is_missing(tmp_path: Path) -> None:
    path = _write(tmp_path, _small_table().drop_columns(["fare_amount"]))
    with pytest.raises(data.TripDataError) as caught:
        data.load_month(path)
    assert caught.value.code == "MISSING_COLUMN" and caught.value.column == "fare_amount"
    assert str(path) in str(caught.value) and "'fare_amount'" in str(caught.value)


def test_fails_when_a_column_has_the_wrong_type(tmp_path: Path) -> None:
    table = _small_table()
    index = table.schema.get_field_index("PULocationID")
    as_text = table.column("PULocationID").cast(pa.string())  # as in some re-exported copies
    path = _write(tmp_path, table.set_column(index, "PULocationID", as_text))
    with pytest.raises(data.TripDataError) as caught:
        data.load_month(path)
    assert caught.value.code == "WRONG_TYPE" and caught.value.column == "PULocationID"
    assert str(path) in str(caught.value) and "string" in str(caught.value)


def test_fails_when_a_timestamp_is_not_a_timestamp(tmp_path: Path) -> None:
    table = _small_table()
    index = table.schema.get_field_index(data.PICKUP)
    path = _write(tmp_path, table.set_column(index, data.PICKUP, table.column(data.PICKUP).cast(pa.string())))
    with pytest.raises(data.TripDataError, match=f"{data.PICKUP}.*expected a timestamp") as caught:
        data.load_month(path)
    assert caught.value.column == data.PICKUP


def test_fails_when_the_file_has_no_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, _small_table(0))
    with pytest.raises(data.TripDataError, match="has no rows") as caught:
        data.load_month(path)
    assert caught.value.code == "NO_ROWS" and str(path) in str(caught.value)


def test_fails_when_the_file_is_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "green_tripdata_2099-02.parquet"
    path.write_text("not parquet")
    with pytest.raises(data.TripDataError, match="not a readable parquet file"):
        data.load_month(path)
    with pytest.raises(data.TripDataError, match="file not found"):
        data.load_month(tmp_path / "missing.parquet")
