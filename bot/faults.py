"""Failures described without anyone's words: what broke and where, never what was said.

A handler's exception may carry a citizen's text in its message (a `ValueError(f"… {text}")`);
logs at INFO and above, stored error texts and admins' alerts use the signature instead: the
exception's type and the innermost frame of our own code. The same signature also tells one
failure from another, so admins hear of each once."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent


def signature(exc: BaseException) -> str:
    """`KeyError at bot/services/cases.py:212 in claim` (or the innermost frame at all when
    none of ours is on the stack)."""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    ours = [f for f in frames if _is_ours(f.filename)]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return type(exc).__name__
    return f"{type(exc).__name__} at {_short(frame.filename)}:{frame.lineno} in {frame.name}"


def _is_ours(filename: str) -> bool:
    try:
        relative = Path(filename).resolve().relative_to(_ROOT)
    except ValueError:
        return False
    return bool(relative.parts) and not relative.parts[0].startswith(".")  # not .venv


def _short(filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to(_ROOT))
    except ValueError:
        return Path(filename).name


def update_kind(payload: dict[str, Any]) -> str:
    """What an update carries (`message`, `callback_query`, …): its one key besides the id."""
    kinds = [key for key in payload if key != "update_id"]
    return kinds[0] if kinds else "empty"


def sanitise(value: Any) -> Any:
    """Replace what SQLite's UTF-8 cannot hold (a lone UTF-16 surrogate, which JSON can carry)
    with U+FFFD, keeping everything else."""
    if isinstance(value, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
        return value
    if isinstance(value, dict):
        return {sanitise(k): sanitise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitise(v) for v in value]
    return value
