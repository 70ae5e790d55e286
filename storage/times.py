"""How a moment is stored: UTC text that sorts as time does."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=512)
def ts(moment: datetime) -> str:
    """UTC text that sorts as time does; cached, since one transaction writes one `now` often."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
