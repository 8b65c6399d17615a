"""Trains the course's duration baseline (mlops-zoomcamp): DictVectorizer on PU_DO + trip_distance, LinearRegression.

    .venv/bin/python train.py OUT.bin data/tlc/green_tripdata_2023-01.parquet ...

Same months and cleaning as the shipped models/duration-baseline (1 <= duration <= 60 min), pickled as (dv, lr) the
way the course's streaming lambda loads it.
"""

import pickle
import sys
import time

import pandas as pd
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LinearRegression


def read_dataframe(filename: str) -> pd.DataFrame:
    df = pd.read_parquet(filename)
    df["duration"] = (df.lpep_dropoff_datetime - df.lpep_pickup_datetime).dt.total_seconds() / 60
    df = df[(df.duration >= 1) & (df.duration <= 60)].copy()
    categorical = ["PULocationID", "DOLocationID"]
    df[categorical] = df[categorical].astype(str)
    df["PU_DO"] = df["PULocationID"] + "_" + df["DOLocationID"]
    return df


def main(out: str, files: list[str]) -> None:
    t0 = time.perf_counter()
    df = pd.concat([read_dataframe(f) for f in files], ignore_index=True)
    dicts = df[["PU_DO", "trip_distance"]].to_dict(orient="records")
    dv = DictVectorizer()
    x = dv.fit_transform(dicts)
    lr = LinearRegression().fit(x, df["duration"].to_numpy())
    with open(out, "wb") as f_out:
        pickle.dump((dv, lr), f_out)
    print(f"trained on {len(df)} rides, {len(dv.feature_names_)} columns, {time.perf_counter() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
