from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from scaling_forecast.laws import LAWS, Law, PowerLaw, SaturatingPowerLaw, get_law

#: The laws fitted by the curve engine (the laws of accuracy are procedures over them).
CURVE_LAWS = sorted(name for name, law in LAWS.items() if issubclass(law, Law))


def _design(name: str) -> np.ndarray:
    """Seven points of the law's design: log compute, or (log N, log D) pairs."""
    log_x = np.linspace(-4, 6, 7)
    return log_x if len(get_law(name).design) == 1 else np.column_stack([log_x + 18.0, 2.0 * log_x + 22.0])


@pytest.mark.parametrize("name", CURVE_LAWS)
def test_jacobian_matches_finite_differences(name: str) -> None:
    law = get_law(name)
    theta = np.array([[0.4, -0.3, 1.2, 0.5, 0.3], [1.1, -0.05, 0.0, -2.0, 0.7]])[:, : law.n_params]
    if name == "chinchilla":
        theta = np.array([[6.0, 7.0, 0.5, 0.34, 0.28], [5.0, 9.0, 0.1, 0.5, 0.4]])
    log_x = _design(name)
    jacobian = law.log_jacobian(theta, log_x)
    step = 1e-6
    for j in range(law.n_params):
        shift = np.zeros(law.n_params)
        shift[j] = step
        numeric = (law.log_predict(theta + shift, log_x) - law.log_predict(theta - shift, log_x)) / (2 * step)
        assert_allclose(jacobian[..., j], numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", CURVE_LAWS)
def test_user_units_round_trip(name: str) -> None:
    law = get_law(name)
    theta = np.array([[0.4, -0.3, 1.2, 0.5, 0.3]])[:, : law.n_params]
    user = law.to_user(theta, log_cref=47.0)
    assert_allclose(law.from_user(user, log_cref=47.0), theta, rtol=1e-12)


def test_predict_in_user_units_is_the_formula() -> None:
    compute = np.array([1e18, 1e21, 1e24])
    params = np.array([[777.0, -0.155, 1.8]])
    assert_allclose(SaturatingPowerLaw().predict(params, compute)[0], 777.0 * compute**-0.155 + 1.8, rtol=1e-12)
    assert_allclose(PowerLaw().predict(params[:, :2], compute)[0], 777.0 * compute**-0.155, rtol=1e-12)


def test_normalised_parameters_map_to_user_units() -> None:
    law = SaturatingPowerLaw()
    log_cref = np.log(1e19)
    theta = np.array([[np.log(2.0), -0.2, 1.5]])
    a, b, c = law.to_user(theta, log_cref)[0]
    # a' (C / C_ref)^b = a C^b  =>  a = a' C_ref^(-b)
    assert_allclose(a, 2.0 * 1e19**0.2, rtol=1e-12)
    assert (b, c) == (-0.2, 1.5)


def test_the_broken_laws_normalised_parameters_map_to_user_units() -> None:
    """``a' (C/C_ref)^b1 (1 + C/(C_ref e^t))^(b2 - b1) = a C^b1 (1 + C/C_b)^(b2 - b1)`` with ``a = a' C_ref^-b1``
    and ``C_b = C_ref e^t``; the exponents are unchanged."""
    law = get_law("broken")
    log_cref = np.log(1e19)
    theta = np.array([[np.log(2.0), -0.05, -0.3, 1.5]])
    a, b1, b2, c_b = law.to_user(theta, log_cref)[0]
    assert_allclose(a, 2.0 * 1e19**0.05, rtol=1e-12)
    assert (b1, b2) == (-0.05, -0.3)
    assert_allclose(c_b, 1e19 * np.exp(1.5), rtol=1e-12)


def test_projection_enforces_bounds() -> None:
    law = SaturatingPowerLaw()
    clipped = law.project(np.array([[0.0, 0.5, -1.0]]))
    assert clipped[0, 1] < 0 and clipped[0, 2] == 0.0


def test_broken_power_law_has_its_two_exponents_far_from_the_break() -> None:
    law = get_law("broken")
    params = np.array([[50.0, -0.05, -0.3, 1e20]])
    compute = np.array([1e14, 1e15, 1e25, 1e26])
    log_loss = np.log(law.predict(params, compute)[0])
    assert (log_loss[1] - log_loss[0]) / np.log(10.0) == pytest.approx(-0.05, abs=1e-4)
    assert (log_loss[3] - log_loss[2]) / np.log(10.0) == pytest.approx(-0.3, abs=1e-4)


def test_the_registry_names_each_law_and_the_candidates_of_each_chooser_in_order() -> None:
    from scaling_forecast.laws import LAWS, candidates_of, curve_law

    assert list(LAWS) == [
        "loss",
        "power",
        "broken",
        "passrate",
        "chinchilla",
        "two-step",
        "gpt4",
        "sigmoid",
        "accuracy",
    ]
    assert candidates_of("auto") == ("loss", "power", "broken")  # the order breaks ties: fewest parameters first
    assert candidates_of("nothing") == ()
    assert all(get_law(name).name == name for name in LAWS)
    assert curve_law("chinchilla").name == "chinchilla"
    with pytest.raises(TypeError, match=r"^the two-step law is not a curve law$"):
        curve_law("two-step")


def test_the_sigmoid_links_jacobian_matches_finite_differences_above_a_floor() -> None:
    from scaling_forecast.laws import SigmoidLink

    link = SigmoidLink(floor=0.25)
    theta = np.array([[0.4, 2.5], [1.6, 3.1]])
    log_x = np.linspace(1.5, 4.0, 9)  # task losses on both sides of each midpoint
    jacobian = link.log_jacobian(theta, log_x)
    for j in range(2):
        shift = np.zeros(2)
        shift[j] = 1e-6
        numeric = (link.log_predict(theta + shift, log_x) - link.log_predict(theta - shift, log_x)) / 2e-6
        assert_allclose(jacobian[..., j], numeric, rtol=1e-6, atol=1e-10)
    k, midpoint = np.exp(0.4), 2.5  # the formula: floor + (1 - floor) / (1 + exp(k (L - L0)))
    assert_allclose(link.log_predict(theta[:1], log_x)[0], 0.25 + 0.75 / (1 + np.exp(k * (log_x - midpoint))))
    assert_allclose(SigmoidLink().log_predict(theta[:1], np.array([-50.0, 2.5, 50.0]))[0], [1.0, 0.5, 0.0], atol=1e-12)


def test_the_sigmoid_links_start_is_the_grid_point_of_an_exact_sigmoid_row_by_row() -> None:
    """Each row's accuracies follow a sigmoid whose slope and midpoint lie on that row's start grid (slopes
    0.05 to 200 per span, midpoints from a span below to a span above its task losses): the start finds it."""
    from scaling_forecast.engine.fitting import LEAST_SQUARES
    from scaling_forecast.laws import SigmoidLink
    from scaling_forecast.laws.accuracy import SLOPE_GRID

    link = SigmoidLink(floor=0.2)
    log_x = np.vstack([np.linspace(2.0, 2.5, 12), np.linspace(0.5, 4.5, 12)])  # spans 0.5 and 4
    truths = []
    for row, (j, i) in enumerate([(30, 5), (12, 27)]):
        low, span = log_x[row].min(), np.ptp(log_x[row])
        truths.append([np.log(SLOPE_GRID[j] / span), low + span * np.linspace(-1.0, 2.0, 31)[i]])
    truth = np.array(truths)
    log_y = np.vstack([link.log_predict(truth[r : r + 1], log_x[r])[0] for r in range(2)])
    start = link.initial(log_x, log_y, LEAST_SQUARES)
    assert start.shape == (2, 1, 2)
    assert_allclose(start[:, 0, :], truth, rtol=1e-12, atol=1e-12)
    one = link.initial(log_x[1], log_y[1:], LEAST_SQUARES)  # one row, task losses given once
    assert_allclose(one[0, 0], truth[1], rtol=1e-12, atol=1e-12)


def test_many_normal_equations_are_solved_at_once_and_a_bad_one_spoils_only_its_own_row() -> None:
    from scaling_forecast.laws.base import solve_rows

    systems = np.array([[[4.0, 1.0], [1.0, 3.0]], [[1.0, 1.0], [1.0, 1.0]], [[1.0, np.nan], [np.nan, 1.0]]])
    rhs = np.array([[1.0, 2.0], [2.0, 2.0], [1.0, 1.0]])
    solved = solve_rows(systems, rhs)
    assert_allclose(solved[0], np.linalg.solve(systems[0], rhs[0]), rtol=1e-12)
    assert_allclose(solved[1], [1.0, 1.0], rtol=1e-12)  # singular: the least-norm solution of x + y = 2
    assert np.isnan(solved[2]).all()


def test_a_curve_laws_design_is_log_compute_over_the_reference() -> None:
    law = get_law("loss")
    log_c = np.log(np.array([1e18, 1e20]))
    assert_allclose(law.log_design(log_c, None, np.log(1e19)), np.log([0.1, 10.0]), rtol=1e-12)
    assert_allclose(law.target_design(np.zeros(3), log_c, np.log(1e19)), np.log([0.1, 10.0]), rtol=1e-12)


def _exact_rows(law_name: str, thetas: np.ndarray, log_x: np.ndarray) -> np.ndarray:
    law = get_law(law_name)
    return np.vstack([law.log_predict(thetas[r : r + 1], log_x[r])[0] for r in range(thetas.shape[0])])


def test_the_saturating_laws_start_solves_an_exact_ladder_on_its_exponent_grid_row_by_row() -> None:
    """Variable projection: at a grid exponent, weighted least squares gives ``a`` and ``c`` of exact data exactly."""
    from scaling_forecast.engine.fitting import LEAST_SQUARES
    from scaling_forecast.laws import EXPONENT_GRID

    law = get_law("loss")
    log_x = np.vstack([np.linspace(-4.0, 4.0, 9), np.linspace(-2.0, 6.0, 9)])
    truth = np.array([[np.log(2.0), EXPONENT_GRID[40], 1.5], [np.log(0.7), EXPONENT_GRID[55], 0.2]])
    log_y = _exact_rows("loss", truth, log_x)
    start = law.initial(log_x, log_y, LEAST_SQUARES, n_starts=3)
    assert start.shape == (2, 3, 3) and law.initial(log_x, log_y, LEAST_SQUARES).shape == (2, 1, 3)
    assert_allclose(start[:, 0], truth, rtol=1e-7, atol=1e-9)
    assert_allclose(start[:, 1], start[:, 0]) and assert_allclose(start[:, 2], start[:, 0])  # one basin: repeated
    shared = law.initial(log_x[0], log_y[:1], LEAST_SQUARES)  # one compute axis for every row
    assert_allclose(shared[0, 0], truth[0], rtol=1e-7, atol=1e-9)


def test_the_saturating_laws_start_drops_a_negative_floor_and_flattens_a_rising_ladder() -> None:
    from scaling_forecast.engine.fitting import LEAST_SQUARES
    from scaling_forecast.laws import EXPONENT_GRID

    law = get_law("loss")
    log_x = np.linspace(-4.0, 4.0, 9)
    y = 3.0 - 0.2 * log_x  # straight in log compute: the floor that fits is negative, so c = 0 and a alone
    start = law.initial(log_x, np.log(y)[None], LEAST_SQUARES)[0, 0]
    assert start[2] == 0.0 and start[1] in EXPONENT_GRID
    u, w = np.exp(start[1] * log_x), 1.0 / y**2
    assert np.exp(start[0]) == pytest.approx(float(np.sum(w * u * y) / np.sum(w * u * u)), rel=1e-9)
    rising = np.exp(0.01 * log_x) * 30.0  # no falling power fits: a flat start at the weighted mean
    flat = law.initial(log_x, np.log(rising)[None], LEAST_SQUARES)[0, 0]
    w = 1.0 / rising**2
    assert flat[2] == pytest.approx((1 - 1e-12) * float(np.sum(w * rising) / np.sum(w)), rel=1e-12)
    assert np.exp(flat[0]) == pytest.approx(1e-12 * float(np.sum(w * rising) / np.sum(w)), rel=1e-9)


def test_the_power_laws_start_is_the_least_squares_line_of_each_row() -> None:
    from scaling_forecast.engine.fitting import LEAST_SQUARES

    law = get_law("power")
    rng = np.random.default_rng(0)
    log_x = np.vstack([np.linspace(-3.0, 5.0, 7), np.linspace(1.0, 2.0, 7)])  # each row its own computes
    log_y = np.vstack([1.0 - 0.1 * log_x[0], 2.0 - 0.3 * log_x[1]]) + rng.normal(0.0, 0.01, (2, 7))
    start = law.initial(log_x, log_y, LEAST_SQUARES, n_starts=2)
    for row in range(2):
        slope, intercept = np.polyfit(log_x[row], log_y[row], 1)
        assert_allclose(start[row, 0], [intercept, slope], rtol=1e-10)
        assert_allclose(start[row, 1], start[row, 0])
    assert law.initial(log_x, log_y, LEAST_SQUARES).shape == (2, 1, 2)  # one start unless asked


def test_the_broken_laws_start_solves_an_exact_ladder_at_a_scanned_break_row_by_row() -> None:
    """Breaks are scanned from the second to the second-to-last run, 4 per gap: at one of them, the linear solve of
    ``(log a, b1, b2)`` is exact."""
    from scaling_forecast.engine.fitting import LEAST_SQUARES

    law = get_law("broken")
    log_x = np.vstack([np.linspace(-4.0, 4.0, 8), np.linspace(-1.0, 6.0, 8)])
    scanned = np.linspace(0.0, 1.0, 4 * (8 - 3) + 1)  # 21 breaks
    truth = []
    for row, (j, b1, b2) in enumerate([(7, -0.05, -0.4), (13, -0.3, -0.02)]):
        low, high = np.sort(log_x[row])[1], np.sort(log_x[row])[-2]
        truth.append([0.3, b1, b2, low + scanned[j] * (high - low)])
    truth_array = np.array(truth)
    start = law.initial(log_x, _exact_rows("broken", truth_array, log_x), LEAST_SQUARES, n_starts=2)
    assert start.shape == (2, 2, 4)
    assert_allclose(start[:, 0], truth_array, rtol=1e-7, atol=1e-9)
    seven = np.linspace(-3.0, 3.0, 7)  # 7 runs: 17 breaks, a sixteenth of the span apart
    low, high = seven[1], seven[-2]
    truth7 = np.array([[0.3, -0.05, -0.4, low + (high - low) / 16]])
    one = law.initial(seven, _exact_rows("broken", truth7, seven[None]), LEAST_SQUARES)
    assert one.shape == (1, 1, 4)
    assert_allclose(one[0, 0], truth7[0], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["loss", "power", "broken"])
def test_user_parameters_predict_what_the_law_predicts_in_normalised_compute(name: str) -> None:
    """``predict(to_user(theta, log C_ref), C) = exp(log_predict(theta, log C - log C_ref))``: the reporting map
    against the law itself, at a reference far from 1."""
    law = get_law(name)
    theta = np.array([[0.4, -0.3, 1.2, 0.5], [1.1, -0.05, -0.2, -1.0]])[:, : law.n_params]
    if name == "loss":
        theta[:, 2] = [1.2, 0.3]
    log_cref = 45.0
    compute = np.exp(log_cref + np.linspace(-3.0, 4.0, 6))
    user = law.to_user(theta, log_cref)
    assert_allclose(law.predict(user, compute), np.exp(law.log_predict(theta, np.log(compute) - log_cref)), rtol=1e-10)


def test_a_degenerate_ladder_gives_a_start_without_a_warning() -> None:
    """Every run at one compute: the scan's linear solves are 0/0, which the start absorbs (a warning fails the
    suite)."""
    from scaling_forecast.engine.fitting import LEAST_SQUARES

    start = get_law("loss").initial(np.zeros(5), np.log(np.array([[3.0, 3.1, 2.9, 3.0, 3.05]])), LEAST_SQUARES)
    assert start.shape == (1, 1, 3)
