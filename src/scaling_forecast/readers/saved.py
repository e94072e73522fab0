"""Saved fits: rebuild a :class:`~scaling_forecast.results.FitResult` from ``forecast fit --save``."""

from __future__ import annotations

from typing import Any

from ..engine.models import load_model
from ..errors import DataError
from ..laws import get_law
from ..results import Candidate, DataSummary, Drift, FitQuality, FitResult, LawSelection, Points


def load_fit(saved: Any, file: str) -> FitResult:
    """Rebuild a :class:`FitResult` and its data warnings from ``FitResult.to_saved_dict()``."""
    try:
        state = saved["state"]
        law = get_law(saved["law"])
        data = DataSummary(**{**saved["data"], "excluded": tuple(saved["data"].get("excluded", ()))})
        data_warnings = tuple(str(w) for w in state["data_warnings"])
        fit = saved["fit"]
        drift = None if fit.get("drift") is None or "p_value" not in fit["drift"] else Drift.from_dict(fit["drift"])
        misspecification = str(saved.get("misspecification", "warn"))
        selection = saved.get("law_selection")
        if selection is not None and any("in_interval" not in c for c in selection["candidates"]):
            selection = None  # saved before the interval spanned the candidates: the chosen law's alone
        result = FitResult(
            law=law.name,
            formula=law.formula,
            level=float(saved["level"]),
            method=str(saved["method"]),
            n_boot=int(saved["n_boot"]),
            seed=int(saved["seed"]),
            loss_fn=str(saved["loss_fn"]),
            huber_delta=float(saved["huber_delta"] or 1e-3),
            data=data,
            params=(),
            fit=FitQuality(
                rmse=float(fit["rmse"]),
                objective=float(fit["objective"]),
                converged=bool(fit["converged"]),
                dof=int(fit["dof"]),
                failed_replicates=int(fit["failed_replicates"]),
                warnings=data_warnings,
                drift=drift,
                trend=None if fit.get("trend") is None else str(fit["trend"]),
            ),
            predictions=(),
            model=load_model(law, state, drift, misspecification, selection),
            data_warnings=data_warnings,
            law_selection=_load_selection(selection),
            misspecification=misspecification,
            runs=None if state.get("runs") is None else Points.from_dict(state["runs"]),
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DataError(
            f"{file}: not a saved fit (missing or bad {error}); create one with 'forecast fit RUNS --save FIT.json'"
        ) from None
    return result


def _load_selection(document: Any) -> LawSelection | None:
    """The :class:`LawSelection` of a saved fit."""
    if document is None:
        return None
    candidates = tuple(
        Candidate(
            law=str(c["law"]),
            n_params=int(c["n_params"]),
            held_out_error=None if c["held_out_rmse"] is None else float(c["held_out_rmse"]),
            aicc=None if c["aicc"] is None else float(c["aicc"]),
            weight=float(c["weight"]),
            in_interval=bool(c["in_interval"]),
        )
        for c in document["candidates"]
    )
    return LawSelection(
        str(document["chosen"]),
        str(document["criterion"]),
        int(document["held_out"]),
        candidates,
        str(document["reason"]),
    )
