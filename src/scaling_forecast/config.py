"""Defaults of every option; ``configs/default.yaml`` mirrors them (a test keeps the two equal)."""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    "law": "auto",
    "targets": ["10x", "100x", "1000x"],
    "level": 0.9,
    "method": "bootstrap",
    "bootstrap": 2000,
    "seed": 0,
    "loss_fn": "lsq",
    "huber_delta": 1e-3,
    "format": "table",
    "zeros": "subset",
    "k": 1,
}
