"""New York local time, the one place where TLC naive timestamps become offset times.

TLC timestamps are naive America/New_York wall-clock times. FEATURES.md fixes how replay turns them into
offset times: an ambiguous wall time (the repeated hour when DST ends) takes the earlier offset (EDT), and a
wall time in the spring-forward gap (which never happened on a clock) is moved forward by one hour. The
features then read the local wall clock of that offset time, so training and serving agree even in the gap.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

NEW_YORK = "America/New_York"
_NY = ZoneInfo(NEW_YORK)


def localize(naive: pd.Series) -> pd.Series:
    """Naive NY wall-clock timestamps -> tz-aware America/New_York timestamps (the FEATURES.md rule)."""
    # ambiguous=True selects DST (EDT) for every ambiguous time; a scalar bool is not accepted for a Series.
    return naive.dt.tz_localize(
        NEW_YORK,
        ambiguous=np.ones(len(naive), dtype=bool),
        nonexistent=pd.Timedelta(hours=1),
    )


def to_iso(local: pd.Timestamp) -> str:
    """ISO 8601 with an explicit offset and whole seconds, e.g. 2021-01-01T00:15:56-05:00."""
    return local.isoformat(timespec="seconds")


def parse_local(pickup_at: str) -> datetime:
    """An ISO 8601 offset time (as in a ride event) as New York local time."""
    parsed = datetime.fromisoformat(pickup_at.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"pickupAt {pickup_at!r} has no offset")
    return parsed.astimezone(_NY)
