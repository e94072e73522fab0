"""The law registry: every law by name, the laws of accuracy included. A new law is one class and one entry here."""

from __future__ import annotations

from .accuracy import (
    AccuracyLaw,
    CalibratedAccuracyLaw,
    DirectLaw,
    Gpt4AccuracyLaw,
    Link,
    SigmoidAccuracyLaw,
    SigmoidLink,
    TwoStepLaw,
)
from .base import (
    EXPONENT_CEILING,
    EXPONENT_GRID,
    MIN_TERM_EFFECT,
    Array,
    BoolArray,
    IndexArray,
    Law,
    LawSpec,
    RowObjective,
)
from .chinchilla import CHINCHILLA_GRID, ChinchillaLaw
from .loss import BrokenPowerLaw, PowerLaw, SaturatingPowerLaw
from .passrate import PassRateLaw
from .registry import LAWS, candidates_of, curve_law, get_law

__all__ = [
    "CHINCHILLA_GRID",
    "EXPONENT_CEILING",
    "EXPONENT_GRID",
    "LAWS",
    "MIN_TERM_EFFECT",
    "AccuracyLaw",
    "Array",
    "BoolArray",
    "BrokenPowerLaw",
    "CalibratedAccuracyLaw",
    "ChinchillaLaw",
    "DirectLaw",
    "Gpt4AccuracyLaw",
    "IndexArray",
    "Law",
    "LawSpec",
    "Link",
    "PassRateLaw",
    "PowerLaw",
    "RowObjective",
    "SaturatingPowerLaw",
    "SigmoidAccuracyLaw",
    "SigmoidLink",
    "TwoStepLaw",
    "candidates_of",
    "curve_law",
    "get_law",
]
