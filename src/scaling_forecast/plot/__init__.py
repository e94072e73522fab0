"""Figures (matplotlib, the optional extra ``plot``): :mod:`.curves` evaluates what a figure shows from a
result without refitting, :mod:`.draw` draws it."""

from __future__ import annotations
