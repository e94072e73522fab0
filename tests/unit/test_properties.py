"""Invariants of a fit, checked on generated ladders."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from scaling_forecast.settings import FitSettings, parse_target
from scaling_forecast.tasks.ladder import fit_law

from ..conftest import saturating_ladder

TARGETS = (parse_target("10x"), parse_target("1000x"))


@st.composite
def ladders(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Ladders whose reducible loss at the smallest run (0.3 to 3) stands above the noise."""
    b = draw(st.floats(-0.4, -0.05))
    reducible = draw(st.floats(0.3, 3.0))
    return saturating_ladder(
        n=draw(st.integers(5, 10)),
        a=reducible / 1e17**b,
        b=b,
        c=draw(st.floats(0.0, 3.0)),
        noise=draw(st.floats(0.001, 0.03)),
        seed=draw(st.integers(0, 10_000)),
        decades=draw(st.floats(2.0, 5.0)),
    )


methods = st.sampled_from(["bootstrap", "delta"])
common = settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@common
@given(ladder=ladders(), method=methods)
def test_estimates_lie_inside_their_intervals(ladder: tuple[np.ndarray, np.ndarray], method: str) -> None:
    result = fit_law(*ladder, FitSettings(law="loss", method=method, n_boot=150), TARGETS)
    for p in result.params:
        assert p.ci[0] <= p.estimate <= p.ci[1]
    for q in result.predictions:
        assert q.ci[0] <= q.estimate <= q.ci[1]
        assert q.pi[0] <= q.ci[0] <= q.estimate <= q.ci[1] <= q.pi[1]


@common
@given(ladder=ladders(), method=methods)
def test_a_higher_level_gives_a_wider_interval(ladder: tuple[np.ndarray, np.ndarray], method: str) -> None:
    narrow = fit_law(*ladder, FitSettings(law="loss", method=method, n_boot=150, level=0.5), TARGETS)
    wide = fit_law(*ladder, FitSettings(law="loss", method=method, n_boot=150, level=0.95), TARGETS)
    for n, w in zip(narrow.predictions, wide.predictions, strict=True):
        assert w.ci[0] <= n.ci[0] and n.ci[1] <= w.ci[1]
        assert w.pi[0] <= n.pi[0] and n.pi[1] <= w.pi[1]


@common
@given(ladder=ladders(), permutation_seed=st.integers(0, 1000))
def test_row_order_changes_nothing(ladder: tuple[np.ndarray, np.ndarray], permutation_seed: int) -> None:
    compute, loss = ladder
    order = np.random.default_rng(permutation_seed).permutation(compute.size)
    first = fit_law(compute, loss, FitSettings(law="loss", n_boot=150), TARGETS)
    shuffled = fit_law(compute[order], loss[order], FitSettings(law="loss", n_boot=150), TARGETS)
    assert first.to_dict() == shuffled.to_dict()


@common
@given(ladder=ladders(), factor=st.floats(1e-6, 1e6))
def test_scaling_compute_changes_only_a(ladder: tuple[np.ndarray, np.ndarray], factor: float) -> None:
    compute, loss = ladder
    base = fit_law(compute, loss, FitSettings(law="loss", n_boot=150), TARGETS)
    scaled = fit_law(compute * factor, loss, FitSettings(law="loss", n_boot=150), TARGETS)
    for name in ("b", "c"):
        assert_allclose(scaled.param(name).estimate, base.param(name).estimate, rtol=1e-6, atol=1e-10)
        assert_allclose(scaled.param(name).ci, base.param(name).ci, rtol=1e-6, atol=1e-9)
    b = base.param("b").estimate
    assert_allclose(scaled.param("a").estimate, base.param("a").estimate * factor ** (-b), rtol=1e-6)
    for s, p in zip(scaled.predictions, base.predictions, strict=True):
        assert_allclose([s.estimate, *s.ci, *s.pi], [p.estimate, *p.ci, *p.pi], rtol=1e-5)


cells = st.text(alphabet="abc XYZ01.,-[]%é", max_size=12)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    n_columns=st.integers(1, 6),
    data=st.data(),
    title=st.text(alphabet="abc XY", max_size=30),
    left_first=st.booleans(),
)
def test_the_fast_table_prints_exactly_what_rich_prints(
    n_columns: int, data: st.DataObject, title: str, left_first: bool
) -> None:
    """Without colour, tables are laid out by hand (rich takes 5 s for 1,000 rows): byte for byte rich's layout."""
    from rich.table import Table as RichTable
    from rich.text import Text

    from scaling_forecast.results import Table
    from scaling_forecast.writers.formats import _console, _plain_table

    headers = data.draw(st.lists(cells.filter(str.strip), min_size=n_columns, max_size=n_columns))
    rows = data.draw(st.lists(st.lists(cells, min_size=n_columns, max_size=n_columns), max_size=6))
    table = Table(title.strip(), headers, rows, left_first=left_first, left=tuple(headers[1:2]))
    plain = _plain_table(table, 160)
    if plain is None:
        return
    console, buffer = _console(False, 160)
    printed = RichTable(title=table.title or None, title_justify="left", box=None, pad_edge=False)
    for i, header in enumerate(headers):
        flush = (i == 0 and left_first) or header in table.left or header.endswith(("CI", "PI"))
        printed.add_column(Text(header), justify="left" if flush else "right", no_wrap=True)
    for row in rows:
        printed.add_row(*(Text(cell) for cell in row))
    console.print(printed)
    assert plain == buffer.getvalue()
