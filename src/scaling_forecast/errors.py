"""One error hierarchy: every failure a user can cause maps to one line and one exit code."""

from __future__ import annotations


class ForecastError(Exception):
    """Base class: ``str(error)`` is the single line the CLI prints.

    Subclasses carry the process exit code documented in the README.
    """

    exit_code = 2


class DataError(ForecastError):
    """The runs file is missing, unreadable or holds values the laws cannot use (exit 2)."""

    exit_code = 2


class ConfigError(ForecastError):
    """An option, target or configuration value is invalid (exit 2)."""

    exit_code = 2


class FitError(ForecastError):
    """The data were valid but no usable law could be fitted (exit 3)."""

    exit_code = 3


#: The exit code of a failure that is not one of ours (a bug): never 1, which means "a gate failed".
INTERNAL_ERROR = 4
