"""How a moment is stored: UTC text that sorts as time does."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=512)
def ts(moment: datetime) -> str:
    """UTC text that sorts as time does; cached, since one transaction writes one `now` often."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def from_ts(text: str) -> datetime:
    """A stored moment back as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
