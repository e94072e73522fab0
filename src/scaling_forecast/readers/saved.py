"""Saved fits: read a file written by ``forecast fit --save`` into a :class:`~scaling_forecast.results.FitResult`."""

from __future__ import annotations

import json
from pathlib import Path

from ..engine.models import load_fit
from ..errors import DataError
from ..results import FitResult


def read_fit(path: str | Path) -> FitResult:
    """The fit saved in ``path`` (its model and data warnings, ready to forecast any target at any level)."""
    label = str(path)
    file = Path(path)
    if not file.is_file():
        raise DataError(f"{label}: file not found; save a fit with 'forecast fit RUNS --save {label}'")
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DataError(
            f"{label}: not a saved fit (not valid JSON); create one with 'forecast fit RUNS --save FIT.json'"
        ) from None
    return load_fit(document, label)


def saved_targets(path: str | Path) -> tuple[str, ...]:
    """The targets a saved fit was made with, as given (empty for a fit saved before they were kept)."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    state = document.get("state", {}) if isinstance(document, dict) else {}
    return tuple(str(t) for t in state.get("targets", ()))
