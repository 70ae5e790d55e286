"""Numbered migrations: `NNN_name.sql` files applied in order, each in its own transaction."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent

MIGRATIONS: list[tuple[int, str]] = sorted(
    (int(path.name.split("_", 1)[0]), path.read_text(encoding="utf-8"))
    for path in _HERE.glob("[0-9][0-9][0-9]_*.sql")
)
