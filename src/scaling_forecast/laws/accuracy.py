"""Laws of benchmark accuracy: through a task loss (``two-step``), or directly from compute (``accuracy``, ``gpt4``,
``sigmoid``).

Accuracy itself extrapolates badly; the two-step method of current model ladders (Bhagia et al. 2024;
the Llama 3 report) forecasts a task loss (bits per byte, or the negative log-likelihood of the
correct answer) from compute with the loss procedure, then maps task loss to accuracy through a
link fitted across the runs, checkpoints included. Files without a task loss are fitted directly:
``accuracy`` (their default) is the GPT-4 report's capability form with intervals calibrated on the
ladder's own rolling-origin errors, ``gpt4`` the same form with the published bootstrap intervals,
``sigmoid`` a rise from chance in log compute. These laws are procedures over curve laws; a fit of
one is a model of its own (:mod:`scaling_forecast.engine.capability`, :mod:`scaling_forecast.engine.calibrated`).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy.special import expit

from .base import Array, Law, LawSpec, RowObjective

#: Slopes ``k`` (per unit of the link's design) scanned by the sigmoid's start.
SLOPE_GRID: Array = np.geomspace(0.05, 200.0, 48)


class Link(Law):
    """A map from one design column to accuracy, fitted by least squares on accuracy itself.

    The engine fits ``y - log_predict``: a link is given accuracies as its ``y`` and returns accuracy,
    so the fit is least squares on accuracy. ``floor`` is the accuracy of random guessing (or the
    lowest accuracy, when small models score below it), set per fit.
    """

    quantity = "accuracy"
    design = ("task_loss",)
    n_starts = 1

    def __init__(self, floor: float = 0.0) -> None:
        self.floor = floor


class SigmoidLink(Link):
    """``acc = floor + (1 - floor) * sigmoid(-k (L - L0))``, ``k > 0``: accuracy rising as the loss ``L`` falls.

    Notes
    -----
    ``theta = (log k, L0)``. The start scans a grid of slopes and midpoints around the runs' range.
    """

    name = "sigmoid-link"
    formula = "acc = chance + (1 - chance) * sigmoid(-k (L - L0))"
    param_names = ("k", "L0")
    log_scale = (True, False)
    lower = (-12.0, -np.inf)
    upper = (12.0, np.inf)
    param_bounds = ((0.0, np.inf), (-np.inf, np.inf))

    def log_predict(self, theta: Array, log_x: Array) -> Array:
        share = expit(-np.exp(theta[:, :1]) * (log_x - theta[:, 1:2]))
        return np.asarray(self.floor + (1.0 - self.floor) * share, dtype=float)

    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        slope, shift = np.exp(theta[:, :1]), log_x - theta[:, 1:2]
        s = expit(-slope * shift)
        scale = (1.0 - self.floor) * s * (1.0 - s)
        return np.stack([-scale * slope * shift, scale * slope], axis=-1)

    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        x = np.broadcast_to(log_x, log_y.shape)  # (n,) or (B, n): each row's task losses
        low, high = x.min(axis=1), x.max(axis=1)
        span = np.maximum(high - low, 1e-6)
        centres = low[:, None] + span[:, None] * np.linspace(-1.0, 2.0, 31)[None, :]  # (B, G)
        grid_k = np.log(SLOPE_GRID / span[:, None])  # (B, K)
        theta = np.stack(np.broadcast_arrays(grid_k[:, :, None], centres[:, None, :]), axis=-1).reshape(
            x.shape[0], -1, 2
        )
        rows = theta.shape[1]
        flat = theta.reshape(-1, 2)
        fitted = self.log_predict(flat, np.repeat(x, rows, axis=0))
        scores = objective(np.repeat(log_y, rows, axis=0) - fitted).reshape(x.shape[0], rows)
        best = np.argmin(np.where(np.isfinite(scores), scores, np.inf), axis=1)
        return np.asarray(theta[np.arange(x.shape[0]), best][:, None, :], dtype=float)

    def reporting_matrix(self, log_cref: float) -> Array:
        return np.eye(2)


class AccuracyLaw(LawSpec):
    """A registered law of accuracy: a procedure over curve laws, reporting accuracy (higher is better)."""

    reads = "accuracy"
    reported = "accuracy"
    sense = "higher"
    resampling = "cases"
    min_runs = 5
    #: Whether the law has a floor at the accuracy of random guessing (``--chance``).
    uses_chance: ClassVar[bool] = True
    #: The names of the parameters it reports, each named for the law or step it belongs to.
    param_names: ClassVar[tuple[str, ...]] = ()


class TwoStepLaw(AccuracyLaw):
    """Accuracy through a task loss: step 1 forecasts the task loss from compute with the default loss
    procedure (law choice and the misspecification check inside its interval); step 2 is ``link``, fitted
    to every row (checkpoints included: the map holds along training as across sizes).

    A new two-step law is a subclass with another ``link`` (and name): everything else is shared.
    """

    name = "two-step"
    formula = "task loss: the loss procedure; accuracy = link(task loss)"
    kind = "two-step"
    design = ("compute", "task_loss")
    link: ClassVar[type[Link]] = SigmoidLink


class DirectLaw(AccuracyLaw):
    """A law of accuracy against compute alone, for files with no task loss."""

    kind = "direct"

    @property
    def min_distinct(self) -> int:
        return 4


class Gpt4AccuracyLaw(DirectLaw):
    """The GPT-4 report's capability form on an accuracy: ``-log(acc) = alpha * C^(-k)`` (the ``passrate``
    law on ``-log acc``; its pass-rate forecast is the accuracy)."""

    name = "gpt4"
    formula = "-log(acc) = alpha * C^(-k)"
    param_names = ("alpha", "k")
    uses_chance = False


class SigmoidAccuracyLaw(DirectLaw):
    """Accuracy rising from chance to 1 in log compute: the sigmoid link with ``L = -log10 C``, so that
    its ``k`` is the slope per decade and ``L0 = -log10 C_mid``."""

    name = "sigmoid"
    formula = "acc = chance + (1 - chance) * sigmoid(slope * (log10 C - log10 C_mid))"
    param_names = ("slope", "C_mid")
    takes_objective = False
    methods = ("bootstrap",)  # a case bootstrap: the sigmoid has no delta-method interval here
    checks_misspecification = False


class CalibratedAccuracyLaw(DirectLaw):
    """The default for accuracies without a task loss: the GPT-4 form with ``k`` of either sign (so a falling or
    flat accuracy is fitted), its intervals calibrated on the ladder's own rolling-origin errors
    (:mod:`scaling_forecast.engine.calibrated`)."""

    name = "accuracy"
    formula = "-log(acc) = alpha * C^(-k)"
    param_names = ("alpha", "k")
    takes_objective = False
    methods = ()
    checks_misspecification = False
    intervals = "the ladder's own rolling-origin errors"
