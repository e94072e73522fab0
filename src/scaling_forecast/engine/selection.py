"""``--law auto`` for losses: choose among the loss laws by how well they predict the largest runs.

A law is judged the way it will be used, by extrapolation: each candidate is fitted to all but
the largest runs and scored by the RMS log error of its forecasts of them. With too few runs to
hold any out, the corrected Akaike criterion (AICc) of the fits to all runs decides.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..laws import Array, candidates_of, curve_law
from ..results import Candidate, LawSelection
from .fitting import LEAST_SQUARES, Objective, fit_batch
from .rolling import rolling_origins
from .uncertainty import Uncertainty, delta_uncertainty

#: At most this many of the largest runs are held out (each is one fit per candidate).
MAX_HELD_OUT = 8
#: A law with more parameters must forecast the held-out runs this many times better, and have
#: the lower AICc, to be chosen over a simpler one ...
SIMPLER_MARGIN = 1.1
#: ... or this many times better, whatever the AICc (which penalises parameters hard on few runs).
CLEAR_MARGIN = 2.5


def _fit_rss(law_name: str, log_x: Array, log_y: Array, objective: Objective) -> tuple[Array, float]:
    """The law's fit and its residual sum of squares.

    The batched polish only: a scipy second polish (:func:`~scaling_forecast.fitting.refine`) would
    chase a broken law's break along its flat valley for seconds while changing a score by less
    than 1e-5; the law finally chosen is refitted with it.
    """
    law = curve_law(law_name)
    best = fit_batch(law, log_x, log_y[None, :], objective=objective)
    theta = best.theta[0]
    residuals = log_y - law.log_predict(theta[None, :], log_x)[0]
    return theta, float(residuals @ residuals)


def akaike_weights(aicc: list[float | None]) -> list[float]:
    """``exp(-(AICc_k - min AICc) / 2)``, normalised; candidates without an AICc get 0.

    When no candidate has an AICc (too few runs), the weights are all 0 and the caller decides.
    """
    scores = np.array([np.inf if a is None or not math.isfinite(a) else a for a in aicc])
    if not np.isfinite(scores).any():
        return [0.0] * len(aicc)
    relative = np.exp(-(scores - scores.min()) / 2.0)
    return [float(w) for w in relative / relative.sum()]


def select_law(
    compute: Array, y: Array, *, objective: Objective = LEAST_SQUARES, unit: str = "run(s)"
) -> tuple[LawSelection, dict[str, Uncertainty | None]] | None:
    """Choose among the registered loss laws (``candidate_of`` ``auto``), or ``None`` when none can be fitted.

    Returns the choice and each candidate's fit to all runs (a delta-method state, ``None`` where it
    could not be fitted).

    Notes
    -----
    The ``h = min(max(1, round(n / 4)), MAX_HELD_OUT)`` largest runs (``unit`` in the reason) are
    held out, and the candidates that keep one more distinct compute value than they have
    parameters without them (and a residual degree of
    freedom) are compared, when there are two or more such candidates. Each held-out run is
    forecast by the candidate fitted to all runs of smaller compute (in log space, compute
    normalised), and the candidate is scored by the RMS log error
    ``sqrt(mean (log y_h - log f(C_h))^2)`` of those forecasts. Going from the fewest parameters
    up, a law with more parameters replaces the current choice only if its held-out error is
    :data:`SIMPLER_MARGIN` times lower and its AICc is lower too, or its held-out error is
    :data:`CLEAR_MARGIN` times lower: extra parameters must earn their place.
    Otherwise ``AICc = n log(RSS / n) + 2k + 2k(k + 1) / (n - k - 1)`` on all runs decides.
    """
    order = np.lexsort((y, compute))
    compute, y = np.asarray(compute, dtype=float)[order], np.asarray(y, dtype=float)[order]
    n = y.size
    log_compute, log_y = np.log(compute), np.log(y)
    distinct = np.unique(compute).size
    registered = candidates_of("auto")
    feasible = [name for name in registered if distinct >= curve_law(name).n_params + 1]
    if not feasible:
        return None
    held = min(max(1, round(n / 4)), MAX_HELD_OUT)
    first = n - held
    below = np.unique(compute[compute < compute[first]]).size  # as many runs or more: a residual dof too
    holdable = [name for name in feasible if below >= curve_law(name).n_params + 1]
    can_hold = len(holdable) >= 2
    candidates, states = [], {}
    for name in feasible:
        law = curve_law(name)
        k = law.n_params
        error = None
        if can_hold and name in holdable:
            errors = []
            for window, ahead in rolling_origins(compute, horizon="next"):  # each held-out run from all smaller runs
                held_here = ahead[ahead >= first]
                if held_here.size == 0:
                    continue
                centre = log_compute[:window].mean()
                theta, _ = _fit_rss(name, log_compute[:window] - centre, log_y[:window], objective)
                errors += list(log_y[held_here] - law.log_predict(theta[None, :], log_compute[held_here] - centre)[0])
            error = float(np.sqrt(np.mean(np.square(errors))))
        log_x = log_compute - log_compute.mean()
        theta, rss = _fit_rss(name, log_x, log_y, objective)
        aicc = None
        if n - k - 1 > 0:
            aicc = n * math.log(max(rss, 1e-300) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
        state = None
        if np.isfinite(theta).all():
            state = delta_uncertainty(law, log_x, log_y, theta)
        candidates.append(Candidate(name, k, error, aicc))
        states[name] = state
    by_size = sorted(candidates, key=lambda c: (c.n_params, registered.index(c.law)))
    if can_hold:
        held_out = [(c, c.held_out_error) for c in by_size if c.held_out_error is not None]
        chosen, chosen_error = choose_held_out(held_out)
        by_size = [c for c, _ in held_out]
        simpler = [c.law for c in by_size if c.n_params < chosen.n_params]
        reason = (
            f"{chosen.law} forecasts each of the {held} largest {unit} from the smaller runs with RMS log error "
            f"{chosen_error:.2%}"
            + (f", clearly better than {' and '.join(simpler)}" if simpler else "")
            + ("; no law with more parameters did clearly better" if chosen is not by_size[-1] else "")
            + (
                f" ({', '.join(left)} left out: too few runs below the held-out ones)"
                if (left := [c.law for c in candidates if c.held_out_error is None])
                else ""
            )
        )
        return _selection(chosen.law, "held-out", held, candidates, reason), states
    scored = [c for c in candidates if c.aicc is not None]
    if not scored:
        chosen = by_size[0]
        reason = f"too few runs to score any candidate; {chosen.law} has the fewest parameters"
        return _selection(chosen.law, "fewest parameters", 0, candidates, reason), states
    chosen = min(scored, key=lambda c: (c.aicc, c.n_params))
    reason = f"too few runs to hold any out; {chosen.law} has the lowest AICc ({chosen.aicc:.2f})"
    return _selection(chosen.law, "aicc", 0, candidates, reason), states


def choose_held_out(held_out: list[tuple[Candidate, float]]) -> tuple[Candidate, float]:
    """The choice among candidates and their held-out errors, sorted by their number of parameters.

    Going up from the fewest parameters, a rival replaces the current choice when its held-out error
    is more than :data:`CLEAR_MARGIN` times lower, or more than :data:`SIMPLER_MARGIN` times lower
    with a lower AICc (:func:`_lower_aicc`).
    """
    chosen, chosen_error = held_out[0]
    for rival, error in held_out[1:]:
        ratio = chosen_error / max(error, 1e-300)
        if ratio > CLEAR_MARGIN or (ratio > SIMPLER_MARGIN and _lower_aicc(rival, chosen)):
            chosen, chosen_error = rival, error
    return chosen, chosen_error


def _selection(chosen: str, criterion: str, held: int, candidates: list[Candidate], reason: str) -> LawSelection:
    """The selection, with each candidate's Akaike weight (all on the chosen law when none has an AICc)."""
    weights = akaike_weights([c.aicc for c in candidates])
    if not any(weights):
        weights = [float(c.law == chosen) for c in candidates]
    weighted = tuple(replace(c, weight=w) for c, w in zip(candidates, weights, strict=True))
    return LawSelection(chosen, criterion, held, weighted, reason)


def _lower_aicc(rival: Candidate, chosen: Candidate) -> bool:
    """Whether ``rival`` has the lower AICc (true when either cannot be computed)."""
    if rival.aicc is None or chosen.aicc is None:
        return True
    return rival.aicc < chosen.aicc
