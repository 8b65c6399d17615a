"""Zone statistics of the training months, the duration model's memory of each route (FEATURES.md).

For each pickup/drop-off pair, pickup zone and drop-off zone: the mean duration, the mean minutes per planned mile
and (pairs only) the mean planned distance, each shrunk towards the training months' global value by `PRIOR`
pseudo-rides so that a pair seen twice does not count as much as one seen a thousand times, plus log(1 + rides).
Unknown keys get the global value (and 0 rides).

They are computed on the training months only. The rows the booster trains on get out-of-fold values (each row's
statistic comes from the other folds), otherwise a pair's mean would contain the row's own target and the booster
would learn to trust it far more than it deserves on a month it never saw (measured: 7.2 RMSE in-sample against
5.3 out-of-fold on the course setup). The exported graph holds the full tables (onnx_export.attach_zone_stats): the
event carries the zone ids, the model carries the statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PRIOR = 20.0
FOLDS = 5
MIN_MILES = 0.5  # minutes per mile of a 0.1-mile ride would be noise; TLC has many 0-mile rides
PAIR_KEY_BASE = 1000.0  # key = pu * 1000 + do: exact in float32 (< 2^24), so the graph can compute it

PAIR_STATS = ("mean_minutes", "minutes_per_mile", "mean_distance", "log_rides")
ZONE_STATS = ("mean_minutes", "minutes_per_mile", "log_rides")
STAT_NAMES: tuple[str, ...] = (
    *(f"pair_{s}" for s in PAIR_STATS),
    *(f"pu_{s}" for s in ZONE_STATS),
    *(f"do_{s}" for s in ZONE_STATS),
)


@dataclass(frozen=True)
class Table:
    """One statistic keyed by a float key: `values[i]` for `keys[i]`, `default` for any other key."""

    keys: np.ndarray  # float64, sorted
    values: np.ndarray  # float32
    default: float

    def lookup(self, key: np.ndarray) -> np.ndarray:
        index = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        return np.where(self.keys[index] == key, self.values[index], np.float32(self.default)).astype(np.float32)


def pair_key(pu: np.ndarray, do: np.ndarray) -> np.ndarray:
    return np.asarray(pu, np.float64) * PAIR_KEY_BASE + np.asarray(do, np.float64)


def _tables(key: np.ndarray, minutes: np.ndarray, distance: np.ndarray, names: tuple[str, ...]) -> list[Table]:
    frame = pd.DataFrame(
        {"key": key, "mean_minutes": minutes, "minutes_per_mile": minutes / np.maximum(distance, MIN_MILES)}
    )
    frame["mean_distance"] = distance
    grouped = frame.groupby("key", sort=True)
    rides = grouped.size()
    keys = rides.index.to_numpy(dtype=np.float64)
    tables = []
    for name in names:
        if name == "log_rides":
            tables.append(Table(keys, np.log1p(rides.to_numpy()).astype(np.float32), 0.0))
            continue
        overall = float(frame[name].mean())
        shrunk = (grouped[name].sum() + PRIOR * overall) / (rides + PRIOR)
        tables.append(Table(keys, shrunk.to_numpy().astype(np.float32), float(np.float32(overall))))
    return tables


@dataclass(frozen=True)
class ZoneStats:
    """The 10 statistics (STAT_NAMES order): pair tables keyed by pair_key, pu and do tables keyed by zone id."""

    pair: list[Table]
    pu: list[Table]
    do: list[Table]

    @staticmethod
    def fit(pu: np.ndarray, do: np.ndarray, distance: np.ndarray, minutes: np.ndarray) -> ZoneStats:
        if len(pu) == 0:
            raise ValueError("zone statistics: no training rides")
        pu, do = np.asarray(pu, np.float64), np.asarray(do, np.float64)
        return ZoneStats(
            pair=_tables(pair_key(pu, do), minutes, distance, PAIR_STATS),
            pu=_tables(pu, minutes, distance, ZONE_STATS),
            do=_tables(do, minutes, distance, ZONE_STATS),
        )

    def transform(self, pu: np.ndarray, do: np.ndarray) -> np.ndarray:
        """[N, 10] float32, what the ONNX graph computes from the zone ids."""
        pu, do = np.asarray(pu, np.float64), np.asarray(do, np.float64)
        key = pair_key(pu, do)
        columns = [t.lookup(key) for t in self.pair] + [t.lookup(pu) for t in self.pu] + [t.lookup(do) for t in self.do]
        return np.column_stack(columns).astype(np.float32)

    def tables(self) -> list[tuple[str, str, Table]]:
        """(statistic name, key column: 'pair' | 'pu' | 'do', table) in STAT_NAMES order."""
        pairs = [("pair", t) for t in self.pair] + [("pu", t) for t in self.pu] + [("do", t) for t in self.do]
        return [(name, column, table) for name, (column, table) in zip(STAT_NAMES, pairs, strict=True)]


def out_of_fold(
    pu: np.ndarray, do: np.ndarray, distance: np.ndarray, minutes: np.ndarray, seed: int = 0
) -> np.ndarray:
    """[N, 10] statistics of each training row computed without the row's own fold."""
    fold = np.random.default_rng(seed).integers(0, FOLDS, len(pu))
    out = np.zeros((len(pu), len(STAT_NAMES)), dtype=np.float32)
    for i in range(FOLDS):
        rest, this = fold != i, fold == i
        stats = ZoneStats.fit(pu[rest], do[rest], distance[rest], minutes[rest])
        out[this] = stats.transform(pu[this], do[this])
    return out
