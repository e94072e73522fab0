"""Writers: every result in every format (:mod:`.formats` over :mod:`.report`), and files written atomically."""

from __future__ import annotations

from .atomic import write_atomic
from .formats import FORMATS, json_text, render, shown_warnings

__all__ = ["FORMATS", "json_text", "render", "shown_warnings", "write_atomic"]
