"""A small crash run in CI: the real `main.py` under load, SIGKILLed three times (bench.crash;
the full run is by hand and its figures are in the README)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_few_kills_lose_and_double_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.crash", "--citizens", "12", "--kills", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    report = dict(line.strip().split(": ", 1) for line in result.stdout.splitlines()
                  if ": " in line)
    assert report["kills"] == "3" and report["cases"] == "12" and report["messages"] == "48"
    assert report["cases lost"] == report["messages lost"] == report["effects doubled"] == "0"
    assert report["integrity_check"] == "ok"
