"""The capability law of the GPT-4 report, over a problem set's pass rates."""

from __future__ import annotations

import numpy as np

from .base import Array
from .loss import PowerLaw


class PassRateLaw(PowerLaw):
    """Capability law of the GPT-4 report: ``-E_P[log pass_rate(C)] = alpha * C^(-k)``, ``alpha > 0``.

    Notes
    -----
    Fitted to ``Q = -mean_j log p_j`` over the problem set; ``log Q = log alpha - k log C`` is linear,
    so the machinery of :class:`PowerLaw` applies with ``b = -k``. The implied geometric-mean pass
    rate is ``exp(-Q)``, always in [0, 1]. ``k`` may be negative: a capability that worsens with
    scale (inverse scaling) is fitted, and its trend says so.
    """

    name = "passrate"
    formula = "-E[log pass_rate] = alpha * C^(-k)"
    param_names = ("alpha", "k")
    param_bounds = ((0.0, np.inf), (-np.inf, np.inf))
    upper = (np.inf, 20.0)
    quantity = "-E[log pass_rate]"
    min_runs = 4
    identified = (("k", "exponent k"),)
    reads = "pass_rate"
    reported = "pass_rate"
    sense = "higher"
    candidate_of = None

    def reporting_matrix(self, log_cref: float) -> Array:
        return np.array([[1.0, -log_cref], [0.0, -1.0]])
