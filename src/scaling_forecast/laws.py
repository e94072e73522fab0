"""Scaling laws: each is one small class with one interface.

A law is fitted in log space to ``log y`` as a function of ``log x``, where ``x = C / C_ref`` is
compute normalised by a reference ``C_ref`` (the geometric mean of the fitted runs). Internally a law
works with a parameter vector ``theta``; the parameters a user sees are a *linear* map of ``theta``
(some then exponentiated), so intervals and standard errors carry over exactly::

    q = M(log C_ref) @ theta,      user value = exp(q) if log_scale else q

Every method is vectorised over a batch of parameter vectors (rows of ``theta``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IndexArray = NDArray[np.intp]
RowObjective = Callable[[Array], Array]

#: Exponents scanned by the variable-projection start, in normalised compute units.
EXPONENT_GRID: Array = -np.geomspace(1e-4, 20.0, 80)
#: The largest exponent allowed: b = 0 makes a and c unidentifiable.
EXPONENT_CEILING = -1e-6
#: A term of a law with several that moves the fitted loss by less than this share across the runs has vanished.
MIN_TERM_EFFECT = 1e-4


class Law(ABC):
    """A scaling law ``y = f(x; theta)`` fitted as ``log y = log f(log x; theta) + noise``."""

    name: ClassVar[str]
    formula: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]
    #: Which reported parameters are exp(q) of a linear combination q of theta.
    log_scale: ClassVar[tuple[bool, ...]]
    lower: ClassVar[tuple[float, ...]]
    upper: ClassVar[tuple[float, ...]]
    #: Bounds of the reported parameters, to which their intervals are clipped.
    param_bounds: ClassVar[tuple[tuple[float, float], ...]]
    #: What is fitted, as a column heading.
    quantity: ClassVar[str] = "loss"
    #: Fewer runs than this draw a warning.
    min_runs: ClassVar[int] = 5
    #: Reported parameters whose weak identification draws a warning, with their description.
    identified: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: The columns of the design the law reads: ``("compute",)`` (a design is ``(n,)``, or ``(B, n)``
    #: with rows of their own), or several (``(n, k)``, or ``(B, n, k)``).
    design: ClassVar[tuple[str, ...]] = ("compute",)
    #: Whether a warm-started batch (bootstrap replicates) also rescans the start; a law whose scan
    #: is a large grid polishes replicates from the fit alone.
    rescans: ClassVar[bool] = True

    #: How bootstrap replicates resample the runs: their residuals, or whole runs (``cases``).
    resampling: ClassVar[str] = "residuals"
    #: The objective unless the user picks one (``lsq`` or ``huber``).
    default_loss_fn: ClassVar[str] = "lsq"
    #: Basins of the start's scan that are polished.
    n_starts: ClassVar[int] = 3

    def per_row(self, log_x: Array) -> bool:
        """Whether ``log_x`` holds a design per data set of the batch."""
        return bool(log_x.ndim > (1 if len(self.design) == 1 else 2))

    def log_reference(self, log_compute: Array) -> float:
        """``log C_ref``, the compute by which the design is normalised: the runs' geometric mean."""
        return float(log_compute.mean())

    def log_design(self, log_compute: Array, log_columns: Array | None, log_cref: float) -> Array:
        """The design of runs at ``log C`` whose other design columns (user units) are ``log_columns``."""
        return log_compute - log_cref

    def target_design(self, theta: Array, log_target: Array, log_cref: float) -> Array:
        """The design at which the fitted law (``theta``, ``(p,)``) forecasts target computes ``(m,)``."""
        return log_target - log_cref

    def design_problem(self, log_x: Array) -> str | None:
        """What keeps the runs' design from identifying the law, if anything."""
        return None

    def degenerate(self, theta: Array, log_x: Array) -> str | None:
        """What makes the fit at ``theta`` no longer this law (a term that vanished), if anything."""
        return None

    def allocation(self, params: Array, budget: float) -> dict[str, Array] | None:
        """Compute-optimal quantities at ``budget`` for parameter rows ``(B, p)``; ``None``: the law has none."""
        return None

    def allocation_exponents(self, params: Array) -> dict[str, Array]:
        """How the compute-optimal quantities grow with the budget (laws with an allocation)."""
        return {}

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    def project(self, theta: Array) -> Array:
        """Clip ``theta`` into the law's bounds."""
        return np.clip(theta, np.array(self.lower), np.array(self.upper))

    @abstractmethod
    def log_predict(self, theta: Array, log_x: Array) -> Array:
        """``log f`` for each parameter row: ``(B, p), (m,) or (B, m) -> (B, m)``."""

    @abstractmethod
    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        """``d log f / d theta``: ``(B, p), (m,) -> (B, m, p)``."""

    @abstractmethod
    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        """``n_starts`` starting points per row of ``log_y`` ``(B, n)``, best first: ``(B, n_starts, p)``.

        Together they must lie in the basin of the global optimum.
        """

    @abstractmethod
    def reporting_matrix(self, log_cref: float) -> Array:
        """``M`` with ``q = M @ theta`` the reported parameters (before any exp)."""

    def reporting_offset(self, log_cref: float) -> Array:
        """``o`` with ``q = M @ theta + o`` (zero unless a parameter is itself a compute)."""
        return np.zeros(self.n_params)

    def to_user(self, theta: Array, log_cref: float) -> Array:
        """Reported parameters in the user's units: ``(B, p) -> (B, p)``."""
        q = theta @ self.reporting_matrix(log_cref).T + self.reporting_offset(log_cref)
        return np.where(np.array(self.log_scale), np.exp(q), q)

    def from_user(self, params: Array, log_cref: float) -> Array:
        """Inverse of :meth:`to_user`."""
        q = np.array(params, dtype=float)
        logged = np.array(self.log_scale)
        q[:, logged] = np.log(q[:, logged])
        q = q - self.reporting_offset(log_cref)
        return np.linalg.solve(self.reporting_matrix(log_cref), q.T).T

    def predict(self, params: Array, compute: Array) -> Array:
        """The law in the user's units: ``(B, p)`` parameters, ``(m,)`` compute ``-> (B, m)``."""
        theta = self.from_user(np.atleast_2d(params), 0.0)
        return np.exp(self.log_predict(theta, np.log(np.asarray(compute, dtype=float))))


class SaturatingPowerLaw(Law):
    """Loss with an irreducible floor: ``L(C) = a * C^b + c``, ``a > 0, b < 0, c >= 0``.

    Notes
    -----
    ``theta = (log a', b, c)`` with ``a'`` the coefficient in normalised compute, so
    ``a = a' * C_ref^(-b)``. For a fixed exponent ``b`` the law is linear in ``(a, c)``; the start
    scans :data:`EXPONENT_GRID`, solves ``(a, c)`` for each exponent by weighted linear least
    squares (weights ``1 / y^2``, which matches log residuals to first order), clips to the bounds,
    and keeps the exponent whose exact objective is lowest (variable projection).

    Example
    -------
    >>> law = SaturatingPowerLaw()
    >>> round(float(law.predict(np.array([[10.0, -0.5, 2.0]]), np.array([100.0]))[0, 0]), 12)
    3.0
    """

    name = "loss"
    formula = "L(C) = a * C^b + c"
    param_names = ("a", "b", "c")
    log_scale = (True, False, False)
    lower = (-np.inf, -20.0, 0.0)
    upper = (np.inf, EXPONENT_CEILING, np.inf)
    param_bounds = ((0.0, np.inf), (-np.inf, 0.0), (0.0, np.inf))
    identified = (("b", "exponent b"), ("c", "irreducible loss c"))

    def log_predict(self, theta: Array, log_x: Array) -> Array:
        power = np.exp(theta[:, :1] + theta[:, 1:2] * log_x)
        return np.log(power + theta[:, 2:3])

    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        power = np.exp(theta[:, :1] + theta[:, 1:2] * log_x)
        jacobian = np.empty((*power.shape, 3))
        np.divide(1.0, power + theta[:, 2:3], out=jacobian[..., 2])
        np.multiply(power, jacobian[..., 2], out=jacobian[..., 0])
        np.multiply(jacobian[..., 0], log_x, out=jacobian[..., 1])
        return jacobian

    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        y = np.exp(log_y)
        weight = 1.0 / y**2
        s_w = weight.sum(axis=1)[:, None]
        s_wy = (weight * y).sum(axis=1)[:, None]
        if log_x.ndim == 2:  # each row has its own compute values
            powers = np.exp(EXPONENT_GRID[None, :, None] * log_x[:, None, :])  # (B, G, n)
            s_wu = np.einsum("bn,bgn->bg", weight, powers)
            s_wuu = np.einsum("bn,bgn->bg", weight, powers**2)
            s_wuy = np.einsum("bn,bgn->bg", weight * y, powers)
        else:
            powers = np.exp(EXPONENT_GRID[:, None] * log_x)  # (G, n)
            s_wu = weight @ powers.T
            s_wuu = weight @ (powers**2).T
            s_wuy = (weight * y) @ powers.T
        det = s_wuu * s_w - s_wu**2
        with np.errstate(divide="ignore", invalid="ignore"):
            a = (s_wuy * s_w - s_wu * s_wy) / det
            c = (s_wuu * s_wy - s_wu * s_wuy) / det
            no_floor = ~(c >= 0.0)
            a = np.where(no_floor, s_wuy / s_wuu, a)
            c = np.where(no_floor, 0.0, c)
            flat = ~(a > 0.0)
            a = np.where(flat, 1e-12 * (s_wy / s_w), a)
            c = np.where(flat, (1.0 - 1e-12) * s_wy / s_w, c)
        fitted = a[:, :, None] * (powers if powers.ndim == 3 else powers[None]) + c[:, :, None]  # (B, G, n)
        residuals = log_y[:, None, :] - np.log(fitted)
        scores = objective(residuals.reshape(-1, log_y.shape[1])).reshape(a.shape)
        scores = np.where(np.isfinite(scores), scores, np.inf)
        # the best grid points that are local minima of the profile, one per basin
        padded = np.pad(scores, ((0, 0), (1, 1)), constant_values=np.inf)
        local = (scores <= padded[:, :-2]) & (scores <= padded[:, 2:])
        ranked = np.argsort(np.where(local, scores, np.inf), axis=1, kind="stable")[:, :n_starts]
        ranked = np.where(np.take_along_axis(local, ranked, axis=1), ranked, ranked[:, :1])
        rows = np.arange(log_y.shape[0])[:, None]
        return np.stack([np.log(a[rows, ranked]), EXPONENT_GRID[ranked], c[rows, ranked]], axis=-1)

    def reporting_matrix(self, log_cref: float) -> Array:
        return np.array([[1.0, -log_cref, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


class PowerLaw(Law):
    """Pure power law without a floor: ``L(C) = a * C^b``, ``a > 0, b < 0``.

    Notes
    -----
    Linear in log space, ``log L = log a + b log C``: the start is the closed-form ordinary
    least-squares line, which is already the optimum for the default objective.
    """

    name = "power"
    formula = "L(C) = a * C^b"
    param_names = ("a", "b")
    log_scale = (True, False)
    lower = (-np.inf, -20.0)
    upper = (np.inf, EXPONENT_CEILING)
    param_bounds = ((0.0, np.inf), (-np.inf, 0.0))
    identified = (("b", "exponent b"),)

    def log_predict(self, theta: Array, log_x: Array) -> Array:
        return theta[:, :1] + theta[:, 1:2] * log_x

    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        ones = np.ones((theta.shape[0], log_x.shape[-1]))
        return np.stack([ones, ones * log_x], axis=-1)

    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        mean_x = log_x.mean(axis=-1)
        centred_x = log_x - mean_x[..., None]
        slope = (log_y * centred_x).sum(axis=-1) / (centred_x * centred_x).sum(axis=-1)
        intercept = log_y.mean(axis=1) - slope * mean_x
        start = self.project(np.column_stack([intercept, slope]))
        return np.repeat(start[:, None, :], n_starts, axis=1)

    def reporting_matrix(self, log_cref: float) -> Array:
        return np.array([[1.0, -log_cref], [0.0, 1.0]])


class PassRateLaw(PowerLaw):
    """Capability law of the GPT-4 report: ``-E_P[log pass_rate(C)] = alpha * C^(-k)``, ``alpha, k > 0``.

    Notes
    -----
    Fitted to ``Q = -mean_j log p_j`` over the problem set; ``log Q = log alpha - k log C`` is linear,
    so the machinery of :class:`PowerLaw` applies with ``b = -k``. The implied geometric-mean pass
    rate is ``exp(-Q)``, always in [0, 1].
    """

    name = "passrate"
    formula = "-E[log pass_rate] = alpha * C^(-k)"
    param_names = ("alpha", "k")
    param_bounds = ((0.0, np.inf), (0.0, np.inf))
    quantity = "-E[log pass_rate]"
    min_runs = 4
    identified = (("k", "exponent k"),)

    def reporting_matrix(self, log_cref: float) -> Array:
        return np.array([[1.0, -log_cref], [0.0, -1.0]])


def _softplus(z: Array) -> Array:
    return np.asarray(np.logaddexp(0.0, z), dtype=float)


def _sigmoid(z: Array) -> Array:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=float)


class BrokenPowerLaw(Law):
    """A smoothly broken power law with one break (Caballero et al. 2022, without a floor).

    ``L(C) = a * C^b1 * (1 + C / C_b)^(b2 - b1)``: exponent ``b1`` well below the break compute
    ``C_b`` and ``b2`` well above it, with the bend spread over about one e-fold of compute.

    Notes
    -----
    ``theta = (log a', b1, b2, u_b)`` in normalised compute, ``u_b = log(C_b / C_ref)``:
    ``log L = log a' + b1 u + (b2 - b1) softplus(u - u_b)``. For a fixed break the law is linear
    in ``(log a', b1, b2)`` in log space, so the start scans breaks between the second and the
    second-to-last run and solves each by least squares (variable projection), as for ``loss``.

    Example
    -------
    >>> law = BrokenPowerLaw()
    >>> value = law.predict(np.array([[10.0, -0.1, -0.3, 1e20]]), np.array([1e20]))[0, 0]
    >>> round(float(value), 9) == round(10.0 * 1e20**-0.1 * 2.0**-0.2, 9)
    True
    """

    name = "broken"
    formula = "L(C) = a * C^b1 * (1 + C/C_b)^(b2 - b1)"
    param_names = ("a", "b1", "b2", "C_b")
    log_scale = (True, False, False, True)
    lower = (-np.inf, -20.0, -20.0, -30.0)
    upper = (np.inf, 0.0, 0.0, 30.0)
    param_bounds = ((0.0, np.inf), (-np.inf, 0.0), (-np.inf, 0.0), (0.0, np.inf))
    min_runs = 7
    identified = (("b2", "exponent after the break b2"), ("C_b", "break compute C_b"))
    #: Breaks scanned per gap between consecutive runs, and at most this many in all (ladders of 13
    #: runs or fewer scan every one; the scan is repeated for every bootstrap replicate).
    BREAKS_PER_GAP = 4
    MAX_BREAKS = 41

    def log_predict(self, theta: Array, log_x: Array) -> Array:
        bend = _softplus(log_x - theta[:, 3:4])
        return theta[:, :1] + theta[:, 1:2] * log_x + (theta[:, 2:3] - theta[:, 1:2]) * bend

    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        shifted = log_x - theta[:, 3:4]
        bend = _softplus(shifted)
        ones = np.ones_like(bend)
        slope = theta[:, 2:3] - theta[:, 1:2]
        return np.stack([ones, log_x - bend, bend, -slope * _sigmoid(shifted)], axis=-1)

    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        rows = log_y.shape[0]
        x = np.broadcast_to(log_x, log_y.shape)  # (B, n)
        ordered = np.sort(x, axis=1)
        fractions = np.linspace(0.0, 1.0, min(self.BREAKS_PER_GAP * (log_y.shape[1] - 3) + 1, self.MAX_BREAKS))
        low, high = ordered[:, 1:2], ordered[:, -2:-1]
        breaks = low + fractions[None, :] * (high - low)  # (B, G)
        bend = _softplus(x[:, None, :] - breaks[:, :, None])  # (B, G, n)
        design = np.stack([np.ones_like(bend), np.broadcast_to(x[:, None, :], bend.shape), bend], axis=-1)
        normal = np.einsum("bgnk,bgnl->bgkl", design, design)
        rhs = np.einsum("bgnk,bn->bgk", design, log_y)
        size = breaks.shape[1]
        coef = _solve_rows(normal.reshape(-1, 3, 3), rhs.reshape(-1, 3)).reshape(rows, size, 3)
        b1 = np.clip(coef[..., 1], self.lower[1], self.upper[1])
        b2 = np.clip(coef[..., 1] + coef[..., 2], self.lower[2], self.upper[2])
        theta = np.stack([coef[..., 0], b1, b2, breaks], axis=-1)
        fitted = self.log_predict(theta.reshape(-1, 4), np.repeat(x, size, axis=0))
        scores = objective(np.repeat(log_y, size, axis=0) - fitted).reshape(rows, size)
        scores = np.where(np.isfinite(scores), scores, np.inf)
        padded = np.pad(scores, ((0, 0), (1, 1)), constant_values=np.inf)
        local = (scores <= padded[:, :-2]) & (scores <= padded[:, 2:])
        ranked = np.argsort(np.where(local, scores, np.inf), axis=1, kind="stable")[:, :n_starts]
        ranked = np.where(np.take_along_axis(local, ranked, axis=1), ranked, ranked[:, :1])
        return np.take_along_axis(theta, ranked[:, :, None], axis=1)

    def reporting_matrix(self, log_cref: float) -> Array:
        return np.array([[1.0, -log_cref, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])

    def reporting_offset(self, log_cref: float) -> Array:
        return np.array([0.0, 0.0, 0.0, log_cref])


class ChinchillaLaw(Law):
    """Loss of ``N`` parameters trained on ``D`` tokens: ``L(N, D) = E + A / N^alpha + B / D^beta``.

    Notes
    -----
    Hoffmann et al. 2022 (approach 3), as replicated by Besiroglu et al. 2024:
    ``theta = (a, b, e, alpha, beta)`` with ``A = e^a``, ``B = e^b``, ``E = e^e`` and
    ``log L = LSE(a - alpha log N, b - beta log D, e)``. The start scans the reference protocol's
    4,500-point grid :data:`CHINCHILLA_GRID` in one batched evaluation and returns its best points.
    The design is ``(log N, log D)``, in the user's units.

    Example
    -------
    >>> law = ChinchillaLaw()
    >>> value = law.predict(np.array([[1.5, 400.0, 400.0, 0.5, 0.5]]), np.array([[1e4, 1e6]]))[0, 0]
    >>> round(float(value), 12)
    5.9
    """

    name = "chinchilla"
    formula = "L(N, D) = E + A / N^alpha + B / D^beta"
    param_names = ("E", "A", "B", "alpha", "beta")
    log_scale = (True, True, True, False, False)
    lower = (-np.inf, -np.inf, -np.inf, 0.0, 0.0)
    upper = (np.inf, np.inf, np.inf, np.inf, np.inf)
    param_bounds = ((0.0, np.inf), (0.0, np.inf), (0.0, np.inf), (0.0, np.inf), (0.0, np.inf))
    min_runs = 30
    design = ("params", "tokens")
    rescans = False
    resampling = "cases"
    default_loss_fn = "huber"
    n_starts = 20

    def log_reference(self, log_compute: Array) -> float:
        return 0.0  # the reference protocol's grid is in the user's units

    def log_design(self, log_compute: Array, log_columns: Array | None, log_cref: float) -> Array:
        if log_columns is None:
            raise ValueError("the chinchilla law needs parameters and tokens per run")
        return log_columns

    def target_design(self, theta: Array, log_target: Array, log_cref: float) -> Array:
        """The compute-optimal ``(log N, log D)`` of the fit at each target budget."""
        params = self.to_user(theta[None, :], 0.0)
        optima = [self.allocation(params, float(np.exp(t))) for t in log_target]
        points = np.array([[o["params"][0], o["tokens"][0]] for o in optima if o is not None], dtype=float)
        return np.asarray(np.log(points.reshape(-1, 2)), dtype=float)

    def design_problem(self, log_x: Array) -> str | None:
        if np.unique(log_x[:, 0]).size < 2 or np.unique(log_x[:, 1]).size < 2:
            return "the chinchilla law needs runs at 2 or more model sizes and token counts; vary both N and D"
        return None

    def degenerate(self, theta: Array, log_x: Array) -> str | None:
        """A size or data term that moves the loss by under 0.01% across the runs leaves no allocation."""
        terms = np.exp(self._terms(theta[None, :], log_x)[0])
        loss = terms.sum(axis=-1)
        for index, (term, column) in enumerate((("A/N^alpha", "params"), ("B/D^beta", "tokens"))):
            if np.ptp(terms[:, index]) < MIN_TERM_EFFECT * loss.mean():
                return (
                    f"the chinchilla fit has no {column} term ({term} moves the loss by under 0.01% across the runs): "
                    f"loss does not fall with {column} in these runs, so the law cannot split a budget between "
                    f"params and tokens; check the {column} column, or fit loss against compute (--law loss)"
                )
        return None

    def allocation(self, params: Array, budget: float) -> dict[str, Array] | None:
        """Closed-form compute-optimal ``N_opt``, ``D_opt`` and loss at ``C = 6 N D``.

        Notes
        -----
        Minimising ``L(N, C / 6N)`` gives ``N_opt = G (C/6)^a``, ``D_opt = G^-1 (C/6)^b`` with
        ``G = (alpha A / (beta B))^(1 / (alpha + beta))``, ``a = beta / (alpha + beta)``,
        ``b = alpha / (alpha + beta)``.
        """
        e, a_coef, b_coef, alpha, beta = (params[:, i] for i in range(5))
        with np.errstate(all="ignore"):
            g = (alpha * a_coef / (beta * b_coef)) ** (1.0 / (alpha + beta))
            n_opt = g * (budget / 6.0) ** (beta / (alpha + beta))
            d_opt = budget / (6.0 * n_opt)
            loss = e + a_coef / n_opt**alpha + b_coef / d_opt**beta
        return {"params": n_opt, "tokens": d_opt, "tokens_per_param": d_opt / n_opt, "loss": loss}

    def allocation_exponents(self, params: Array) -> dict[str, Array]:
        """``N_opt`` grows as ``C^a`` and ``D_opt`` as ``C^b``: ``a = beta / (alpha + beta)``, ``b = 1 - a``."""
        alpha, beta = params[:, 3], params[:, 4]
        with np.errstate(all="ignore"):
            return {"a": beta / (alpha + beta), "b": alpha / (alpha + beta)}

    def _terms(self, theta: Array, log_x: Array) -> Array:
        log_n, log_d = log_x[..., 0], log_x[..., 1]
        size = np.broadcast_shapes(log_n.shape, (theta.shape[0], 1))
        return np.stack(
            [
                theta[:, :1] - theta[:, 3:4] * log_n,
                theta[:, 1:2] - theta[:, 4:5] * log_d,
                np.broadcast_to(theta[:, 2:3], size),
            ],
            axis=-1,
        )

    def log_predict(self, theta: Array, log_x: Array) -> Array:
        terms = self._terms(theta, log_x)
        top = terms.max(axis=-1)
        return np.asarray(top + np.log(np.exp(terms - top[..., None]).sum(axis=-1)), dtype=float)

    def log_jacobian(self, theta: Array, log_x: Array) -> Array:
        terms = self._terms(theta, log_x)
        share = np.exp(terms - terms.max(axis=-1, keepdims=True))
        share /= share.sum(axis=-1, keepdims=True)
        return np.stack(
            [
                share[..., 0],
                share[..., 1],
                share[..., 2],
                -share[..., 0] * log_x[..., 0],
                -share[..., 1] * log_x[..., 1],
            ],
            axis=-1,
        )

    def initial(self, log_x: Array, log_y: Array, objective: RowObjective, n_starts: int = 1) -> Array:
        grid = CHINCHILLA_GRID
        # each term takes few distinct values on the grid: exponentiate those, then gather
        size_terms, size_index = np.unique(grid[:, [0, 3]], axis=0, return_inverse=True)
        data_terms, data_index = np.unique(grid[:, [1, 4]], axis=0, return_inverse=True)
        starts = np.empty((log_y.shape[0], n_starts, grid.shape[1]))
        for row in range(log_y.shape[0]):
            design = log_x[row] if self.per_row(log_x) else log_x
            size = np.exp(size_terms[:, :1] - size_terms[:, 1:] * design[:, 0])
            data = np.exp(data_terms[:, :1] - data_terms[:, 1:] * design[:, 1])
            scores = np.empty(grid.shape[0])
            step = max(1, 2**22 // max(design.shape[0], 1))  # grid points per chunk: about 32 MB of fitted values
            for first in range(0, grid.shape[0], step):
                part = slice(first, first + step)
                fitted = size[size_index.ravel()[part]] + data[data_index.ravel()[part]] + np.exp(grid[part, 2:3])
                scores[part] = objective(log_y[row][None, :] - np.log(fitted))
            starts[row] = grid[np.argsort(np.where(np.isfinite(scores), scores, np.inf), kind="stable")[:n_starts]]
        return starts

    def reporting_matrix(self, log_cref: float) -> Array:
        matrix = np.zeros((5, 5))
        for row, column in enumerate((2, 0, 1, 3, 4)):
            matrix[row, column] = 1.0
        return matrix


#: The reference protocol's starting grid (Besiroglu et al. 2024): 4,500 points of ``(a, b, e, alpha, beta)``.
CHINCHILLA_GRID: Array = np.stack(
    np.meshgrid(
        np.arange(0.0, 30.0, 5.0),
        np.arange(0.0, 30.0, 5.0),
        np.arange(-1.0, 1.5, 0.5),
        np.arange(0.0, 2.5, 0.5),
        np.arange(0.0, 2.5, 0.5),
        indexing="ij",
    ),
    axis=-1,
).reshape(-1, 5)


def _solve_rows(system: Array, rhs: Array) -> Array:
    """Least-squares solutions of many small normal equations; singular ones give NaN, not an error."""
    with np.errstate(all="ignore"):
        inverse = np.linalg.pinv(system, hermitian=True)
        return np.asarray(np.einsum("bkl,bl->bk", inverse, rhs), dtype=float)


#: The registry: every law by name. A new law is one class and one entry here.
LAWS: dict[str, type[Law]] = {
    law.name: law for law in (SaturatingPowerLaw, PowerLaw, BrokenPowerLaw, PassRateLaw, ChinchillaLaw)
}


def get_law(name: str) -> Law:
    """The registered law called ``name``."""
    return LAWS[name]()
