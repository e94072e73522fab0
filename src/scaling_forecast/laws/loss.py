"""Laws of loss against compute: the saturating power law, the pure power law and a broken power law."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .base import EXPONENT_CEILING, EXPONENT_GRID, Array, Law, RowObjective, solve_rows


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
    floor_param = "c"
    candidate_of: ClassVar[str | None] = "auto"

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
        fitted = a[:, :, None] * powers + c[:, :, None]  # (B, G, n): powers are (G, n) or (B, G, n)
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
    log_axis = True
    candidate_of: ClassVar[str | None] = "auto"

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
    log_axis = True
    candidate_of: ClassVar[str | None] = "auto"
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
        coef = solve_rows(normal.reshape(-1, 3, 3), rhs.reshape(-1, 3)).reshape(rows, size, 3)
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
