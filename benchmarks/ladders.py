"""Simulated ladders with a known truth, shared by the coverage and design benchmarks.

Every truth is a loss curve ``L(C)``; a ladder is ``runs`` runs spread evenly in log compute over
``decades`` decades, each loss times log-normal noise. Three truths follow a law ``forecast``
fits (well specified) and three do not (misspecified):

* ``no-floor``: ``L = 777 C^-0.155`` (a pure power law; the loss law holds with ``c = 0``).
* ``floor-in-view``: ``L = 777 C^-0.155 + 1.8``, ladder ending at 1e21 FLOP, where the floor is
  74% of the loss.
* ``floor-not-in-view``: the same law, ladder ending at 1e15 FLOP, where the floor is 33% of the
  loss (19% at 1e13): the runs barely bend.
* ``warm-up``: ``floor-in-view`` times ``1 + 0.1 (C / C_min)^-0.5``: the smallest runs carry up to
  10% extra loss (warm-up, untuned hyperparameters) that fades with scale, so the log-log curve
  bends slowly.
* ``exponent-drift``: the reducible loss's local exponent shrinks by 20% per 2 decades from the
  smallest run (``d log(L - 1.8) / d log C = -0.155 (1 - 0.2 log10(C / C_min) / 2)``), floor 1.8.
* ``broken``: a smoothly broken power law, exponent -0.25 well below and -0.10 well above a break
  two decades above the smallest run, spread over two e-folds of compute, plus a floor of 1.8.
"""

from __future__ import annotations

import numpy as np

COEFFICIENT, EXPONENT, FLOOR = 777.0, -0.155, 1.8
WELL_SPECIFIED = ("no-floor", "floor-in-view", "floor-not-in-view")
MISSPECIFIED = ("warm-up", "exponent-drift", "broken")
TRUTHS = WELL_SPECIFIED + MISSPECIFIED
#: The law that generates each well-specified truth, and its parameters ``(a, b, c)``.
GENERATING_LAW = {
    "no-floor": ("power", (COEFFICIENT, EXPONENT)),
    "floor-in-view": ("loss", (COEFFICIENT, EXPONENT, FLOOR)),
    "floor-not-in-view": ("loss", (COEFFICIENT, EXPONENT, FLOOR)),
}


def ladder_compute(truth: str, runs: int, decades: float) -> np.ndarray:
    """Compute of the ``runs`` runs of a ladder, evenly spaced in log compute."""
    end = 1e15 if truth == "floor-not-in-view" else 1e21
    return np.geomspace(end / 10**decades, end, runs)


def true_loss(truth: str, compute: np.ndarray, smallest: float) -> np.ndarray:
    """The noiseless loss of ``truth`` at ``compute``, for a ladder whose smallest run is ``smallest``."""
    compute = np.asarray(compute, dtype=float)
    power = COEFFICIENT * compute**EXPONENT
    if truth == "no-floor":
        return power
    if truth in ("floor-in-view", "floor-not-in-view"):
        return power + FLOOR
    if truth == "warm-up":
        return (power + FLOOR) * (1.0 + 0.1 * (compute / smallest) ** -0.5)
    if truth == "exponent-drift":
        u = np.log(compute / smallest)
        reducible = COEFFICIENT * smallest**EXPONENT * np.exp(EXPONENT * u - EXPONENT * 0.2 * u**2 / (4 * np.log(10)))
        return reducible + FLOOR
    if truth == "broken":
        ratio = compute / (100.0 * smallest)
        spread = 2.0
        return 6.0 * (compute / smallest) ** -0.25 * (1.0 + ratio ** (1 / spread)) ** (0.15 * spread) + FLOOR
    raise ValueError(f"unknown truth {truth!r}; choose one of {', '.join(TRUTHS)}")


def draw_ladder(
    truth: str, runs: int, decades: float, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Compute and noisy loss of one ladder."""
    compute = ladder_compute(truth, runs, decades)
    return compute, true_loss(truth, compute, compute[0]) * np.exp(rng.normal(0.0, noise, runs))
