"""The law interface: every law is one small class with this interface, fitted in log space.

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


class LawSpec:
    """What every registered law declares, the laws of accuracy included: the registry's contract.

    ``kind`` names the model a fit of the law gives (``curve``: a law fitted by the engine in log
    space; ``two-step`` and ``direct``: the laws of accuracy). ``design`` are the columns it reads per
    run besides the metric it fits, ``reads`` (``loss``, ``pass_rate`` or ``accuracy``, an alias group
    of the readers); it reports ``reported`` (a loss, or a derived pass rate or accuracy), better in the
    sense ``sense`` (``lower`` or ``higher``), which also names its gate. ``candidate_of`` names the
    chooser that weighs it (``auto`` for the loss laws, ``accuracy`` for the direct accuracy laws).
    """

    name: ClassVar[str]
    formula: ClassVar[str]
    kind: ClassVar[str] = "curve"
    design: ClassVar[tuple[str, ...]] = ("compute",)
    reads: ClassVar[str] = "loss"
    #: What the law reports (``loss``, a derived ``pass_rate``, ``accuracy``) and the sense of better.
    reported: ClassVar[str] = "loss"
    sense: ClassVar[str] = "lower"
    candidate_of: ClassVar[str | None] = None
    #: The objective unless the user picks one (``lsq`` or ``huber``).
    default_loss_fn: ClassVar[str] = "lsq"
    #: How bootstrap replicates resample the runs: their residuals, or whole runs (``cases``).
    resampling: ClassVar[str] = "residuals"
    #: Fewer runs than this draw a warning.
    min_runs: ClassVar[int] = 5
    #: Whether ``--loss-fn`` chooses its objective (a law fitted by least squares on accuracy alone does not).
    takes_objective: ClassVar[bool] = True
    #: The ``--method`` values its intervals can come from, and whether ``--misspecification`` widens them.
    methods: ClassVar[tuple[str, ...]] = ("bootstrap", "delta")
    checks_misspecification: ClassVar[bool] = True
    #: Where its intervals come from, named when an option about them is refused.
    intervals: ClassVar[str] = "a bootstrap of its runs"
    #: Figures: the parameter drawn as a floor line, and whether the metric axis is logarithmic.
    floor_param: ClassVar[str | None] = None
    log_axis: ClassVar[bool] = False

    @property
    def gate(self) -> str:
        """The gate of ``forecast check`` on what the law reports: ``max_loss``, ``min_pass_rate``, ``min_accuracy``."""
        return f"{'max' if self.sense == 'lower' else 'min'}_{self.reported}"

    @property
    def min_distinct(self) -> int:
        """The fewest distinct computes a fit of the law needs."""
        return 3


class Law(LawSpec, ABC):
    """A scaling law ``y = f(x; theta)`` fitted as ``log y = log f(log x; theta) + noise``."""

    param_names: ClassVar[tuple[str, ...]]
    #: Which reported parameters are exp(q) of a linear combination q of theta.
    log_scale: ClassVar[tuple[bool, ...]]
    lower: ClassVar[tuple[float, ...]]
    upper: ClassVar[tuple[float, ...]]
    #: Bounds of the reported parameters, to which their intervals are clipped.
    param_bounds: ClassVar[tuple[tuple[float, float], ...]]
    #: What is fitted, as a column heading.
    quantity: ClassVar[str] = "loss"
    #: Reported parameters whose weak identification draws a warning, with their description.
    identified: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: The design of the law is ``("compute",)`` (an array ``(n,)``, or ``(B, n)`` with rows of their
    #: own), or several columns (``(n, k)``, or ``(B, n, k)``).
    #: Whether a warm-started batch (bootstrap replicates) also rescans the start; a law whose scan
    #: is a large grid polishes replicates from the fit alone.
    rescans: ClassVar[bool] = True
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

    @property
    def min_distinct(self) -> int:
        return self.n_params + 1

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


def solve_rows(system: Array, rhs: Array) -> Array:
    """Least-squares solutions of many small normal equations: a singular system gives its least-norm solution and
    one holding NaN gives NaN, neither an error nor a warning."""
    inverse = np.linalg.pinv(system, hermitian=True)
    return np.asarray(np.einsum("bkl,bl->bk", inverse, rhs), dtype=float)
