"""What the web console (api/web, refactored separately) still imports from
here; the scenario routes are ``api.routers.scenarios``. Remove once the
console uses that module's functions with the app's dependencies."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from api.routers.scenarios import CHARTS, report_file, validate_scenario
from scheduler.scenarios.spec import Scenario

__all__ = ["CHARTS", "_file", "_validate"]


def _validate(app: FastAPI, scenario: Scenario) -> None:
    """``api.routers.scenarios.validate_scenario`` on ``app``'s database and data."""
    validate_scenario(app.state.sessions, app.state.data, scenario)


def _file(app: FastAPI, run_id: str, name: str) -> Path:
    """``api.routers.scenarios.report_file`` on ``app``'s database."""
    return report_file(app.state.sessions, run_id, name)
