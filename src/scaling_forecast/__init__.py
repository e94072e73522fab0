"""scaling-forecast: predict a large training run from small runs by fitting scaling laws.

The public names are imported lazily, so that the command line starts without numpy.

Example
-------
>>> import numpy as np
>>> from scaling_forecast import FitSettings, fit_law, parse_target
>>> compute = np.geomspace(1e17, 1e21, 8)
>>> loss = 90.0 * compute**-0.1 + 1.7
>>> result = fit_law(compute, loss, FitSettings(method="delta"), (parse_target("1000x"),))
>>> round(result.param("c").estimate, 3)
1.7
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "ConfigError": "errors",
    "DataError": "errors",
    "FitError": "errors",
    "ForecastError": "errors",
    "Sweep": "tasks.compare",
    "compare_sweeps": "tasks.compare",
    "sweeps_from": "tasks.compare",
    "FitSettings": "settings",
    "Target": "settings",
    "parse_target": "settings",
    "fit_law": "tasks.ladder",
    "fit_runs": "tasks.ladder",
    "load_fit": "engine.models",
    "read_fit": "readers.saved",
    "LAWS": "laws",
    "ChinchillaLaw": "laws",
    "Law": "laws",
    "PowerLaw": "laws",
    "SaturatingPowerLaw": "laws",
    "get_law": "laws",
    "Comparison": "results",
    "DataSummary": "results",
    "FitQuality": "results",
    "FitResult": "results",
    "ParameterEstimate": "results",
    "Prediction": "results",
    "draw": "plot",
    "Runs": "engine.runs",
    "as_table": "readers.tables",
    "load_for_law": "readers.runs",
    "load_runs": "readers.runs",
    "load_two_variable": "readers.runs",
    "read_sweeps": "readers.runs",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
