"""Labels and keys users read: the unit a target is counted in, and a gate's JSON."""

from __future__ import annotations

import math

import pytest

from scaling_forecast.engine.forecasting import _unit
from scaling_forecast.errors import ConfigError
from scaling_forecast.tasks.check import GateResult


@pytest.mark.parametrize(
    ("column", "unit"), [("compute", "FLOP"), (" FLOPs ", "FLOP"), ("C", "FLOP"), ("tokens", "(tokens)")]
)
def test_a_compute_column_is_counted_in_flop_and_any_other_in_its_own_name(column: str, unit: str) -> None:
    assert _unit(column) == unit


def test_a_gates_json_carries_its_target_and_interval() -> None:
    gate = GateResult("max_loss", 1e24, 2.1, 2.2, True, (2.0, 2.3))
    assert gate.to_dict() == {
        "gate": "max_loss",
        "target": 1e24,
        "value": 2.1,
        "threshold": 2.2,
        "passed": True,
        "interval": [2.0, 2.3],
    }
    trend = GateResult("min_trend", None, math.nan, math.nan, False, None, "flat", "improving").to_dict()
    assert trend["target"] is None and trend["interval"] is None
    assert (trend["observed"], trend["required"]) == ("flat", "improving")


@pytest.mark.parametrize(
    ("gate", "line"),
    [
        (GateResult("max_loss", 1e24, 2.1, 2.2, True), "max_loss at 1e+24: 2.1 <= 2.2 (pass)"),
        (GateResult("max_loss", 1e24, 2.3, 2.2, False), "max_loss at 1e+24: 2.3 > 2.2 (FAIL)"),
        (GateResult("min_pass_rate", 1e25, 0.7, 0.6, True), "min_pass_rate at 1e+25: 0.7 >= 0.6 (pass)"),
        (GateResult("min_pass_rate", 1e25, 0.5, 0.6, False), "min_pass_rate at 1e+25: 0.5 < 0.6 (FAIL)"),
        (GateResult("max_rmse", None, 0.004763, 0.001, False), "max_rmse: 0.004763 > 0.001 (FAIL)"),
        (
            GateResult("min_trend", None, math.nan, math.nan, True, None, "improving", "improving"),
            "trend: improving (required: improving) (pass)",
        ),
        (
            GateResult("min_trend", None, math.nan, math.nan, False, None, "flat", "improving"),
            "trend: flat (required: improving) (FAIL)",
        ),
    ],
)
def test_a_gates_line_says_what_it_compared_and_how_it_came_out(gate: GateResult, line: str) -> None:
    assert gate.describe() == line


@pytest.mark.parametrize(
    ("file", "law", "options"),
    [
        ("runs.csv", "auto", {}),
        ("runs.csv", "power", {"method": "delta", "loss_fn": "huber"}),
        ("chinchilla.csv", "chinchilla", {"n_boot": 200}),
        ("passrates.csv", "passrate", {"method": "delta"}),
        ("pythia_tasks.csv", "accuracy", {}),
        ("pythia_tasks.csv", "gpt4", {"n_boot": 200}),
        ("pythia_tasks.csv", "sigmoid", {"n_boot": 200}),
        ("pythia_lambada.csv", "two-step", {"n_boot": 200}),
    ],
)
def test_a_saved_fit_loaded_writes_the_same_json(file: str, law: str, options: dict) -> None:
    """What `fit --save` writes and `predict` reads: reloaded, every law's fit writes the same document (formula,
    data, fit quality, warnings, runs, parameters, predictions); an older file without the model's kind is a curve."""
    import json

    import scaling_forecast as sf
    from scaling_forecast.engine.models import load_fit
    from scaling_forecast.readers.runs import load_for_law

    from ..conftest import EXAMPLES

    path = str(EXAMPLES / file)
    runs, _ = load_for_law(path, law, task="piqa" if file == "pythia_tasks.csv" else None)
    settings = sf.FitSettings(law=law, **options)
    result = sf.fit_runs(runs, settings, (sf.Target(10.0, True),))
    saved = json.loads(json.dumps(result.to_saved_dict()))
    loaded = load_fit(saved, "fit.json")
    assert loaded.params == () and loaded.predictions == ()  # a loaded fit forecasts only when asked
    assert loaded.fit.warnings == result.data_warnings and loaded.model.law.name == result.model.law.name
    reloaded = loaded.predict(sf.Target(10.0, True))
    assert reloaded.to_dict() == result.to_dict()
    assert (reloaded.runs is None) == (result.runs is None)  # the runs a plot of the saved fit draws
    if result.runs is not None and reloaded.runs is not None:
        assert list(reloaded.runs.x) == list(result.runs.x) and list(reloaded.runs.y) == list(result.runs.y)
    if saved["state"].get("kind", "curve") == "curve":
        older = {**saved, "state": {k: v for k, v in saved["state"].items() if k != "kind"}}
        assert load_fit(older, "fit.json").predict(sf.Target(10.0, True)).to_dict() == result.to_dict()


def _power_fit():  # type: ignore[no-untyped-def]
    import numpy as np

    from scaling_forecast.settings import FitSettings, Target
    from scaling_forecast.tasks.ladder import fit_law

    compute = np.geomspace(1e18, 1e21, 7)
    loss = 40.0 * compute**-0.08 * np.exp(np.random.default_rng(1).normal(0.0, 0.01, 7))
    return fit_law(compute, loss, FitSettings(law="power", method="delta"), (Target(1e22),))


def test_each_gate_passes_at_its_threshold_and_judges_the_end_of_the_interval_it_is_on() -> None:
    from scaling_forecast.tasks.check import evaluate_gates

    result = _power_fit()
    (p,) = result.predictions
    on_pi = evaluate_gates(result, {"max_loss": p.pi[1]}, "pi")
    assert on_pi.passed and on_pi.gates[0].value == p.pi[1] and on_pi.gates[0].interval == p.pi
    assert not evaluate_gates(result, {"max_loss": p.pi[1] * (1 - 1e-12)}, "pi").passed
    assert evaluate_gates(result, {"max_loss": p.ci[1]}, "ci").passed
    on_estimate = evaluate_gates(result, {"max_loss": p.estimate, "max_interval_width": p.pi[1] - p.pi[0]}, "estimate")
    assert on_estimate.passed and on_estimate.gates[0].interval is None
    width = on_estimate.gates[1]  # on the estimate, the width is the pi's
    assert width.value == p.pi[1] - p.pi[0] and width.interval == p.pi
    ci_width = evaluate_gates(result, {"max_interval_width": (p.ci[1] - p.ci[0]) * (1 - 1e-12)}, "ci")
    assert not ci_width.passed and ci_width.gates[0].interval == p.ci
    rmse = result.fit.rmse
    assert evaluate_gates(result, {"max_rmse": rmse}, "pi").passed
    assert not evaluate_gates(result, {"max_rmse": rmse * (1 - 1e-12)}, "pi").passed


def test_a_minimum_gate_judges_the_lower_end_and_passes_at_its_threshold() -> None:
    import numpy as np

    from scaling_forecast.settings import FitSettings, Target
    from scaling_forecast.tasks.check import evaluate_gates
    from scaling_forecast.tasks.ladder import fit_law

    compute = np.geomspace(1e19, 1e22, 8)
    accuracy = 0.25 + 0.6 / (1 + np.exp(-1.5 * (np.log10(compute) - 20.5)))
    result = fit_law(compute, accuracy, FitSettings(law="accuracy"), (Target(1e23),))
    (p,) = result.predictions
    for on, low in (("pi", p.pi[0]), ("ci", p.ci[0]), ("estimate", p.estimate)):
        assert evaluate_gates(result, {"min_accuracy": low}, on).passed
        assert not evaluate_gates(result, {"min_accuracy": low * (1 + 1e-12)}, on).passed
    for share in (0.0, 1.0):
        evaluate_gates(result, {"min_accuracy": share}, "pi")  # the ends of [0, 1] are shares
    with pytest.raises(ConfigError) as caught:
        evaluate_gates(result, {"min_accuracy": 1.5}, "pi")
    assert str(caught.value) == "--min-accuracy 1.5: must be a share in [0, 1]"


def test_gates_on_a_forecast_need_a_target_but_the_fits_own_gates_do_not() -> None:
    from dataclasses import replace

    from scaling_forecast.tasks.check import evaluate_gates

    result = replace(_power_fit(), predictions=())
    assert evaluate_gates(result, {"max_rmse": 1.0}, "pi").passed
    assert evaluate_gates(result, {}, "pi", require_trend="improving").passed
    with pytest.raises(ConfigError) as caught:
        evaluate_gates(result, {"max_interval_width": 1.0}, "pi")
    assert str(caught.value) == "the gates need at least one --target (or targets: in the job file)"


def test_a_failed_check_lists_every_failed_gate() -> None:
    from scaling_forecast.tasks.check import evaluate_gates

    result = _power_fit()
    check = evaluate_gates(result, {"max_loss": 0.1, "max_rmse": 0.0}, "pi")
    (p,) = result.predictions
    assert check.verdict() == (
        f"FAIL: 2 of 2 gates fail (judged on pi): max_loss at 1e+22: {p.pi[1]:.4g} > 0.1 (FAIL); "
        f"max_rmse: {result.fit.rmse:.4g} > 0 (FAIL)"
    )


def test_a_saved_fit_of_an_older_format_takes_the_defaults_and_a_broken_one_is_named() -> None:
    """Keys an older version did not write (exclusions, the misspecification policy, the trend) take their
    defaults; a saved fit that cannot be read names its file, even when the broken part is a nested fit."""
    import json

    import scaling_forecast as sf
    from scaling_forecast.engine.models import load_fit
    from scaling_forecast.errors import DataError
    from scaling_forecast.readers.runs import load_for_law

    from ..conftest import EXAMPLES

    runs, _ = load_for_law(str(EXAMPLES / "runs.csv"), "power")
    saved = json.loads(json.dumps(sf.fit_runs(runs, sf.FitSettings(law="power", method="delta")).to_saved_dict()))
    older = {k: v for k, v in saved.items() if k != "misspecification"}
    older["data"] = {k: v for k, v in saved["data"].items() if k != "excluded"}
    older["fit"] = {**saved["fit"], "trend": None}
    older["state"] = {k: v for k, v in saved["state"].items() if k != "runs"}
    loaded = load_fit(older, "old.json")
    assert loaded.misspecification == "warn" and loaded.data.excluded == () and loaded.fit.trend is None
    assert loaded.runs is None  # saved before the runs were: nothing to plot, the forecast unchanged
    newer = {**saved, "misspecification": "widen", "data": {**saved["data"], "excluded": ["run-1"]}}
    loaded = load_fit(newer, "new.json")
    assert loaded.misspecification == "widen" and loaded.data.excluded == ("run-1",)
    strange = {**saved, "state": {**saved["state"], "kind": "nonsense"}}
    with pytest.raises(DataError) as caught:
        load_fit(strange, "fit.json")
    assert str(caught.value) == (
        "fit.json: not a saved fit (missing or bad model kind 'nonsense'); create one with "
        "'forecast fit RUNS --save FIT.json'"
    )
    lambada, _ = load_for_law(str(EXAMPLES / "pythia_lambada.csv"), "two-step")
    two_step = sf.fit_runs(lambada, sf.FitSettings(law="two-step", n_boot=200)).to_saved_dict()
    two_step = json.loads(json.dumps(two_step))
    del two_step["state"]["step1"]["fit"]
    with pytest.raises(DataError, match=r"^two-step\.json: not a saved fit \(missing or bad 'fit'\)"):
        load_fit(two_step, "two-step.json")
    tasks, _ = load_for_law(str(EXAMPLES / "pythia_tasks.csv"), "gpt4", task="piqa")
    gpt4 = json.loads(json.dumps(sf.fit_runs(tasks, sf.FitSettings(law="gpt4", n_boot=200)).to_saved_dict()))
    del gpt4["state"]["gpt4"]["fit"]
    with pytest.raises(DataError, match=r"^gpt4\.json: not a saved fit \(missing or bad 'fit'\)"):
        load_fit(gpt4, "gpt4.json")


def test_an_older_auto_fit_without_its_spanned_laws_takes_them_from_its_selection() -> None:
    """Saved before the state listed the laws the interval spans: the selection's ``in_interval`` marks say
    which, and the reloaded fit forecasts the same interval."""
    import json

    import scaling_forecast as sf
    from scaling_forecast.engine.models import load_fit
    from scaling_forecast.readers.runs import load_for_law

    from ..conftest import EXAMPLES

    runs, _ = load_for_law(str(EXAMPLES / "runs.csv"), "auto")
    result = sf.fit_runs(runs, sf.FitSettings(n_boot=200), (sf.Target(10.0, True),))
    saved = json.loads(json.dumps(result.to_saved_dict()))
    spanned = saved["state"].pop("in_interval")
    assert spanned == [c["law"] for c in saved["law_selection"]["candidates"] if c["in_interval"]] and spanned
    model = load_fit(saved, "fit.json").model
    assert [c.law for c in model.candidates if c.in_interval] == spanned
    assert [c.law for c in model.candidates] == [c["law"] for c in saved["law_selection"]["candidates"]]
    assert load_fit(saved, "fit.json").predict(sf.Target(10.0, True)).to_dict() == result.to_dict()


def test_a_saved_auto_fit_with_a_law_that_could_not_be_fitted_reloads_and_forecasts_without_it() -> None:
    """A candidate whose fit failed is saved without a state: it keeps its place in the selection, has no
    forecasts of its own, and the reloaded fit forecasts the same interval from the others."""
    import json

    import scaling_forecast as sf
    from scaling_forecast.engine.models import load_fit
    from scaling_forecast.readers.runs import load_for_law

    from ..conftest import EXAMPLES

    runs, _ = load_for_law(str(EXAMPLES / "runs.csv"), "auto")
    result = sf.fit_runs(runs, sf.FitSettings(n_boot=200), (sf.Target(10.0, True),))
    saved = json.loads(json.dumps(result.to_saved_dict()))
    names = [c["law"] for c in saved["law_selection"]["candidates"]]
    spanned = saved["state"]["in_interval"]
    dropped = next(name for name in reversed(names) if name not in spanned)
    del saved["state"]["candidates"][dropped]
    model = load_fit(saved, "fit.json").model
    assert [c.law for c in model.candidates] == names
    assert [c.law for c in model.candidates if c.state is None] == [dropped]
    again = load_fit(saved, "fit.json").predict(sf.Target(10.0, True))
    assert again.law_selection is not None
    assert again.law_selection.candidate(dropped).predictions == ()
    assert again.predictions == result.predictions
