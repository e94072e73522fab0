"""The fitted models a result holds, by kind, and how a saved one is rebuilt."""

from __future__ import annotations

from typing import Any

from ..results import Drift, Model
from .forecasting import CurveModel


def load_model(law: Any, state: dict[str, Any], drift: Drift | None, misspecification: str, selection: Any) -> Model:
    """The model of a saved fit's ``state`` (:meth:`FitResult.to_saved_dict`); fits saved before models had a
    kind are curve laws'."""
    kind = state.get("kind", "curve")
    if kind == "curve":
        return CurveModel.from_state(law, state, drift, misspecification, selection)
    raise ValueError(f"model kind {kind!r}")
