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
    "Sweep": "compare",
    "compare_sweeps": "compare",
    "sweeps_from": "compare",
    "FitSettings": "forecast",
    "Target": "forecast",
    "fit_law": "forecast",
    "load_fit": "forecast",
    "parse_target": "forecast",
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
    "Runs": "runs",
    "as_table": "runs",
    "load_for_law": "runs",
    "load_runs": "runs",
    "load_two_variable": "runs",
    "read_sweeps": "runs",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
