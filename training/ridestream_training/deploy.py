"""Serve the flow on a Prefect server with a monthly schedule.

    PREFECT_API_URL=http://<prefect-server>:4200/api \
      training/.venv/bin/python -m ridestream_training.deploy --cron "0 6 3 * *"

`flow.serve` registers a deployment on the server and keeps this process running as its worker: each
scheduled run executes here, where the repo, the data and the venv are. (For a work pool instead, use
`ride_models.from_source(...).deploy(name=..., work_pool_name=..., cron=...)`; see training/README.md.)
"""

from __future__ import annotations

import argparse

from .flow import ride_models

# 06:00 on the 3rd of each month, New York time: the TLC publishes a month's trip files with a delay, so the
# schedule retrains on whatever months the data folder holds by then.
DEFAULT_CRON = "0 6 3 * *"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="ridestream_training.deploy")
    parser.add_argument("--name", default="ride-models-monthly")
    parser.add_argument("--cron", default=DEFAULT_CRON)
    parser.add_argument("--timezone", default="America/New_York")
    args = parser.parse_args(argv)
    from prefect.schedules import Cron

    ride_models.serve(
        name=args.name,
        schedules=[Cron(args.cron, timezone=args.timezone)],
        parameters={"setup": "production"},
        tags=["ridestream", "training"],
    )


if __name__ == "__main__":
    main()
