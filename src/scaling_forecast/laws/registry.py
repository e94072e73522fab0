"""The law registry: every law by name, the laws of accuracy included. A new law is one class and one entry here."""

from __future__ import annotations

from typing import Any

from .accuracy import CalibratedAccuracyLaw, Gpt4AccuracyLaw, SigmoidAccuracyLaw, TwoStepLaw
from .base import Law
from .chinchilla import ChinchillaLaw
from .loss import BrokenPowerLaw, PowerLaw, SaturatingPowerLaw
from .passrate import PassRateLaw

#: The registry: every law by name. A new law is one class and one entry here.
LAWS: dict[str, type[Any]] = {
    law.name: law
    for law in (
        SaturatingPowerLaw,
        PowerLaw,
        BrokenPowerLaw,
        PassRateLaw,
        ChinchillaLaw,
        TwoStepLaw,
        Gpt4AccuracyLaw,
        SigmoidAccuracyLaw,
        CalibratedAccuracyLaw,
    )
}


def get_law(name: str) -> Any:
    """The registered law called ``name`` (a :class:`Law` of the curve engine, or an :class:`AccuracyLaw`)."""
    return LAWS[name]()


def curve_law(name: str) -> Law:
    """The registered curve law called ``name``."""
    law = get_law(name)
    if not isinstance(law, Law):
        raise TypeError(f"the {name} law is not a curve law")
    return law


def candidates_of(chooser: str) -> tuple[str, ...]:
    """The registered laws a chooser weighs (``auto``: the loss laws; ``accuracy``: the direct accuracy laws)."""
    return tuple(name for name, law in LAWS.items() if law.candidate_of == chooser)
