"""The Chinchilla law of parameters and tokens, with its compute-optimal allocation."""

from __future__ import annotations

import numpy as np

from .base import MIN_TERM_EFFECT, Array, Law, RowObjective


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
    methods = ("bootstrap",)  # the reference protocol: a case bootstrap over runs
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
            # pragma: no mutate start (the chunks only bound memory, about 32 MB of fitted values at a time: any
            # cover of the grid scores the same points)
            step = max(1, 2**22 // max(design.shape[0], 1))
            for first in range(0, grid.shape[0], step):
                part = slice(first, first + step)
                # pragma: no mutate end
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
