"""Where the tests find the repository: its root, the default data set, the examples."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository's root (``pyproject.toml``, ``data/``, ``scenarios/``, ``benchmarks/``)."""

DATA = ROOT / "data"
"""The default data set (Shapingba, 2026-W49)."""
