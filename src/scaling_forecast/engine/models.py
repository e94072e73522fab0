"""The fitted models a result holds, by kind, and how a saved fit (``FitResult.to_saved_dict()``) is rebuilt."""

from __future__ import annotations

from typing import Any

from ..errors import DataError
from ..laws import get_law
from ..results import Candidate, DataSummary, Drift, FitQuality, FitResult, LawSelection, Model, Points
from ..settings import DEFAULTS
from .calibrated import CalibratedModel
from .capability import DirectModel, TwoStepModel
from .forecasting import CurveModel


def load_model(
    law: Any, state: dict[str, Any], drift: Drift | None, misspecification: str, selection: Any, file: str
) -> Model:
    """The model of a saved fit's ``state`` (:meth:`FitResult.to_saved_dict`); fits saved before models had a
    kind are curve laws'."""
    kind = state.get("kind", "curve")
    if kind == "curve":
        return CurveModel.from_state(law, state, drift, misspecification, selection)
    if kind == "two-step":
        return TwoStepModel.from_state(law, state, load_fit(state["step1"], file))
    if kind == "calibrated":
        return CalibratedModel.from_state(law, state)
    if kind == "direct":
        gpt4 = None if state.get("gpt4") is None else load_fit(state["gpt4"], file)
        return DirectModel.from_state(law, state, gpt4)
    raise ValueError(f"model kind {kind!r}")


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
            formula=str(saved.get("formula") or law.formula),
            level=float(saved["level"]),
            method=str(saved["method"]),
            n_boot=int(saved["n_boot"]),
            seed=int(saved["seed"]),
            loss_fn=str(saved["loss_fn"]),
            huber_delta=float(saved["huber_delta"] or DEFAULTS["huber_delta"]),
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
            model=load_model(law, state, drift, misspecification, selection, file),
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
