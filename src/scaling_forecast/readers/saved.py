"""Saved fits: rebuild a :class:`~scaling_forecast.results.FitResult` from ``forecast fit --save``."""

from __future__ import annotations

from typing import Any

from ..engine.uncertainty import Uncertainty
from ..errors import DataError
from ..laws import get_law
from ..results import Candidate, DataSummary, Drift, FitQuality, FitResult, LawSelection


def load_fit(saved: Any, file: str) -> FitResult:
    """Rebuild a :class:`FitResult` and its data warnings from ``FitResult.to_saved_dict()``."""
    try:
        state = saved["state"]
        law = get_law(saved["law"])
        data = DataSummary(**{**saved["data"], "excluded": tuple(saved["data"].get("excluded", ()))})
        uncertainty = Uncertainty.from_dict(state["uncertainty"])
        data_warnings = tuple(str(w) for w in state["data_warnings"])
        fit = saved["fit"]
        result = FitResult(
            law=law.name,
            formula=law.formula,
            level=float(saved["level"]),
            method=str(saved["method"]),
            n_boot=int(saved["n_boot"]),
            seed=int(saved["seed"]),
            loss_fn=str(saved["loss_fn"]),
            huber_delta=float(saved["huber_delta"] or 1e-3),
            log_compute_ref=float(state["log_compute_ref"]),
            data=data,
            params=(),
            fit=FitQuality(
                rmse=float(fit["rmse"]),
                objective=float(fit["objective"]),
                converged=bool(fit["converged"]),
                dof=int(fit["dof"]),
                failed_replicates=int(fit["failed_replicates"]),
                warnings=data_warnings,
                drift=None
                if fit.get("drift") is None or "p_value" not in fit["drift"]
                else Drift.from_dict(fit["drift"]),
                trend=None if fit.get("trend") is None else str(fit["trend"]),
            ),
            predictions=(),
            uncertainty=uncertainty,
            data_warnings=data_warnings,
            law_selection=_load_selection(saved.get("law_selection"), state.get("candidates", {})),
            misspecification=str(saved.get("misspecification", "warn")),
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DataError(
            f"{file}: not a saved fit (missing or bad {error}); create one with 'forecast fit RUNS --save FIT.json'"
        ) from None
    return result


def _load_selection(document: Any, states: dict[str, Any]) -> LawSelection | None:
    """The :class:`LawSelection` of a saved fit, with each candidate's saved state.

    Fits saved before the interval spanned the candidates carry no candidate states: their
    forecasts are the chosen law's alone, as they were when saved.
    """
    if document is None or any("in_interval" not in c for c in document["candidates"]):
        return None
    candidates = tuple(
        Candidate(
            law=str(c["law"]),
            n_params=int(c["n_params"]),
            held_out_error=None if c["held_out_rmse"] is None else float(c["held_out_rmse"]),
            aicc=None if c["aicc"] is None else float(c["aicc"]),
            weight=float(c["weight"]),
            in_interval=bool(c["in_interval"]),
            state=None if c["law"] not in states else Uncertainty.from_dict(states[c["law"]]),
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
