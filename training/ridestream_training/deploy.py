"""Serve the training flow and the monthly batch scoring flow on a Prefect server, each on its schedule.

    PREFECT_API_URL=http://<prefect-server>:4200/api \
      training/.venv/bin/python -m ridestream_training.deploy

`prefect.serve` registers both deployments on the server and keeps this process running as their runner: each
scheduled run executes here, where the repo, the data and the venv are. (For a work pool instead, use
`<flow>.from_source(...).deploy(name=..., work_pool_name=..., cron=...)`; see training/README.md.)
"""

from __future__ import annotations

import argparse
from typing import Any

from .batch import ride_batch
from .flow import ride_models

# 06:00 on the 3rd of each month, New York time: the TLC publishes a month's trip files with a delay, so the
# schedule retrains on whatever months the data folder holds by then.
DEFAULT_CRON = "0 6 3 * *"
# Two hours later: the month before is scored with whatever model the training run left in production.
DEFAULT_BATCH_CRON = "0 8 3 * *"
TIMEZONE = "America/New_York"


def build_deployments(
    train_cron: str = DEFAULT_CRON, batch_cron: str = DEFAULT_BATCH_CRON, timezone: str = TIMEZONE
) -> list[Any]:
    """The two runner deployments (nothing is sent to a server until they are served)."""
    from prefect.schedules import Cron

    return [
        ride_models.to_deployment(
            name="ride-models-monthly",
            schedules=[Cron(train_cron, timezone=timezone)],
            parameters={"setup": "production"},
            tags=["ridestream", "training"],
        ),
        # No month parameter: each run scores the month before its scheduled time (batch.previous_month).
        ride_batch.to_deployment(
            name="ride-batch-monthly",
            schedules=[Cron(batch_cron, timezone=timezone)],
            tags=["ridestream", "batch"],
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="ridestream_training.deploy")
    parser.add_argument("--cron", default=DEFAULT_CRON, help="training schedule")
    parser.add_argument("--batch-cron", default=DEFAULT_BATCH_CRON, help="batch scoring schedule")
    parser.add_argument("--timezone", default=TIMEZONE)
    args = parser.parse_args(argv)
    from prefect import serve

    serve(*build_deployments(args.cron, args.batch_cron, args.timezone))


if __name__ == "__main__":
    main()
