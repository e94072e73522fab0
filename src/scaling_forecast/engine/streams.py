"""Every random stream of the engine, in one table: ``np.random.default_rng([seed, key, ...])``.

The bootstrap of a fit draws from ``default_rng(seed)`` and a comparison's ``i``-th sweep from
``default_rng([seed, i])``; the keys below sit at the top of the 32-bit range, apart from both, and
apart from each other (a test keeps them distinct), so no two parts of a procedure share draws.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Seed-sequence keys of the streams other than a fit's own bootstrap."""

    #: The problem draws shared by sweeps evaluated on the same problems (a paired bootstrap).
    PAIRED_PROBLEMS = 2**32 - 1
    #: The null ladders of the misspecification check.
    DRIFT_NULL = 2**32 - 2
    #: A new run's noise drawn from every run of a binned fit.
    RUN_NOISE = 2**32 - 3
    #: The case bootstrap of an accuracy link (the two-step law's step 2, the direct sigmoid law).
    LINK_BOOTSTRAP = 2**32 - 4
    #: The draws that carry step 1's interval through the link (common to every target).
    JOIN = 2**32 - 5


def stream(seed: int, key: Stream, *more: int) -> np.random.Generator:
    """The generator of stream ``key`` for ``seed`` (``more``: sub-streams of it)."""
    return np.random.default_rng([seed, int(key), *more])
