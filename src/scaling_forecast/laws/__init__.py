"""The law registry: every law by name. A new law is one class and one entry here."""

from __future__ import annotations

from .base import EXPONENT_CEILING, EXPONENT_GRID, MIN_TERM_EFFECT, Array, BoolArray, IndexArray, Law, RowObjective
from .chinchilla import CHINCHILLA_GRID, ChinchillaLaw
from .loss import BrokenPowerLaw, PowerLaw, SaturatingPowerLaw
from .passrate import PassRateLaw

#: The registry: every law by name. A new law is one class and one entry here.
LAWS: dict[str, type[Law]] = {
    law.name: law for law in (SaturatingPowerLaw, PowerLaw, BrokenPowerLaw, PassRateLaw, ChinchillaLaw)
}


def get_law(name: str) -> Law:
    """The registered law called ``name``."""
    return LAWS[name]()


__all__ = [
    "CHINCHILLA_GRID",
    "EXPONENT_CEILING",
    "EXPONENT_GRID",
    "LAWS",
    "MIN_TERM_EFFECT",
    "Array",
    "BoolArray",
    "BrokenPowerLaw",
    "ChinchillaLaw",
    "IndexArray",
    "Law",
    "PassRateLaw",
    "PowerLaw",
    "RowObjective",
    "SaturatingPowerLaw",
    "get_law",
]
