#!/usr/bin/env python3
"""Quick start for a fresh machine: `python3 dev.py run` and `python3 dev.py test`.

Each command creates `.venv` and installs what it needs the first time (and again when
pyproject.toml changes), then runs inside it. Only Python 3.11+ and the package index are needed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

try:
    import tomllib
except ImportError:  # Python < 3.11
    sys.exit("Minqing needs Python 3.11 or newer.")
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_env(extra: str) -> None:
    """Create the virtual environment and install the project's dependencies when needed."""
    stamp = VENV / f".installed-{extra or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    if extra:
        requirements += project["optional-dependencies"][extra]
    print(f"Installing {len(requirements)} requirements into .venv …", flush=True)
    # The project itself is run from its folder, not installed: only its dependencies are.
    subprocess.run(
        [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
        cwd=ROOT,
        check=True,
    )
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print("usage: python3 dev.py run [main.py arguments] | python3 dev.py test [pytest args]")
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        ensure_env("")
        return subprocess.call([str(PY), str(ROOT / "main.py"), *rest], cwd=ROOT)
    ensure_env("dev")
    return subprocess.call([str(PY), "-m", "pytest", "-q", *rest], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
