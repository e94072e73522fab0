from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from scaling_forecast.errors import DataError
from scaling_forecast.readers.runs import load_runs

from ..conftest import EXAMPLES, write_csv


def test_csv_and_yaml_examples_hold_the_same_runs() -> None:
    csv_runs = load_runs(EXAMPLES / "runs.csv")
    yaml_runs = load_runs(EXAMPLES / "runs.yaml")
    assert_allclose(csv_runs.x, yaml_runs.x)
    assert_allclose(csv_runs.y, yaml_runs.y)
    assert csv_runs.names == yaml_runs.names
    assert len(csv_runs) == 9


def test_aliases_are_case_insensitive(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "Name,FLOPS,Val_Loss", ["a,1e18,3.0", "b,1e19,2.8"])
    runs = load_runs(path)
    assert runs.x_column == "FLOPS" and runs.y_column == "Val_Loss" and runs.names == ("a", "b")


def test_compute_is_derived_from_params_and_tokens(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "n_params,n_tokens,loss", ["1e8,2e9,3.0", "1e9,2e10,2.5"])
    assert_allclose(load_runs(path).x, [6 * 1e8 * 2e9, 6 * 1e9 * 2e10])


def test_tsv_json_and_yaml_mapping_forms(tmp_path: Path) -> None:
    (tmp_path / "r.tsv").write_text("compute\tloss\n1e18\t3.0\n1e19\t2.8\n")
    (tmp_path / "r.json").write_text(json.dumps([{"compute": 1e18, "loss": 3.0}, {"compute": "1e19", "loss": 2.8}]))
    (tmp_path / "r.yml").write_text("- {compute: 1.0e+18, loss: 3.0}\n- {compute: 1e19, loss: 2.8}\n")
    for name in ("r.tsv", "r.json", "r.yml"):
        runs = load_runs(tmp_path / name)
        assert_allclose(runs.x, [1e18, 1e19])
        assert_allclose(runs.y, [3.0, 2.8])


def test_explicit_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "params,bpb,loss", ["1e8,1.1,3.0", "1e9,0.9,2.5"])
    runs = load_runs(path, x="PARAMS", y="bpb")
    assert_allclose(runs.x, [1e8, 1e9])
    assert_allclose(runs.y, [1.1, 0.9])


def test_replicates_at_the_same_compute_are_valid(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "compute,loss", ["1e18,3.0", "1e18,3.02", "1e19,2.8"])
    assert len(load_runs(path)) == 3


def test_sweep_selection(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "group,compute,loss", ["A,1e18,3.0", "B,1e18,3.1", "A,1e19,2.8"])
    runs = load_runs(path, sweep="A")
    assert runs.sweep == "A" and len(runs) == 2


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ("compute,loss,flops", ["1,2,3"], "r.csv: columns 'compute', 'flops' all mean compute; keep one of them"),
        (
            "compute,loss",
            ["1e18,[1]"],
            "r.csv: row 1, column 'loss': '[1]' is not a number; give a plain number like 1.5e20",
        ),
        (
            "compute,loss",
            ["1e18,3", ",3"],
            "r.csv: row 2, column 'compute': missing value; fill it in or remove the row",
        ),
        (
            "compute,loss",
            ["1e18,3", "1e18"],
            "r.csv: row 2 has 1 values but the header has 2 columns (delimiter ','); give every row one value per "
            "column, and write decimals with a point (or use ';' between values)",
        ),
        (
            "params,loss",
            ["1e8,3"],
            "r.csv: no compute column; add 'compute' (or 'flops'), or 'params' and 'tokens', or name the column with --x",
        ),
        ("params,tokens,loss", ["-1,2e9,3"], "r.csv: row 1, column 'params': -1 must be positive"),
        ("compute,loss,", ["1,2,3"], "r.csv: header has empty or repeated column names ['']; name each column once"),
    ],
)
def test_bad_tables(tmp_path: Path, header: str, rows: list[str], message: str) -> None:
    path = write_csv(tmp_path / "r.csv", header, rows)
    with pytest.raises(DataError) as caught:
        load_runs(path)
    assert str(caught.value) == str(path).replace("r.csv", "") + message


def test_unknown_suffix_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"runs\.txt: file not found"):
        load_runs(tmp_path / "runs.txt")
    (tmp_path / "runs.txt").write_text("compute,loss\n")
    with pytest.raises(DataError, match=r"unsupported file type '\.txt'; use \.csv, \.tsv, \.json, \.jsonl or \.yaml"):
        load_runs(tmp_path / "runs.txt")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(DataError, match="is a folder"):
        load_runs(tmp_path / "d.csv")


def test_json_documents(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text('{"compute": 1}')
    with pytest.raises(DataError, match="expected a list of runs"):
        load_runs(tmp_path / "r.json")
    (tmp_path / "r.json").write_text('[{"compute": 1e18, "loss": 3},')
    with pytest.raises(DataError, match=r"line 1, column \d+: invalid JSON"):
        load_runs(tmp_path / "r.json")
    (tmp_path / "r.json").write_text("[1, 2]")
    with pytest.raises(DataError, match="row 1: expected a mapping of column to value, got int"):
        load_runs(tmp_path / "r.json")


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_bytes(b"\xff\xfe\x00compute")
    with pytest.raises(DataError, match="not UTF-8 text"):
        load_runs(tmp_path / "r.csv")


def test_runs_as_a_data_frame() -> None:
    frame = load_runs(EXAMPLES / "runs.csv").to_frame()
    assert list(frame.columns) == ["run", "compute", "loss"] and len(frame) == 9
    from scaling_forecast.readers.runs import load_for_law

    grid, _ = load_for_law(str(EXAMPLES / "chinchilla.csv"), "chinchilla")
    frame = grid.to_frame()
    assert list(frame.columns) == ["run", "params", "tokens", "compute", "loss"]
    first = frame.iloc[0]
    assert (first["run"], first["params"], first["tokens"], first["loss"]) == ("n1e+07-x5", 1e7, 5e7, 6.2548)
    assert_allclose(frame["compute"], 6.0 * frame["params"] * frame["tokens"])


def test_loading_never_modifies_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", "compute,loss", ["1e18,3.0", "1e19,2.8"])
    before = path.read_bytes()
    load_runs(path)
    assert path.read_bytes() == before
    assert np.isfinite(load_runs(path).x).all()


def test_runs_without_a_value_or_that_did_not_finish_are_left_out_by_name(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    rows = ["a,finished,1e18,3.0", "b,finished,1e19,", "c,running,1e20,2.5", "d,FINISHED,1e21,2.2"]
    path.write_text("name,state,compute,loss\n" + "\n".join(rows) + "\n", encoding="utf-8")
    runs = load_runs(path)
    assert runs.names == ("a", "d")
    assert runs.warnings == (
        "left out 1 run(s) that did not finish (state): c (running)",
        "left out 1 run(s) with no 'loss' value: b",
    )


def test_tracker_prefixes_and_dict_columns(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        ",summary,config\n0,\"{'val_loss': 3.0}\",\"{'flops': 1e18}\"\n1,\"{'val_loss': 2.5}\",\"{'flops': 1e19}\"\n",
        encoding="utf-8",
    )
    runs = load_runs(path)
    assert list(runs.x) == [1e18, 1e19] and list(runs.y) == [3.0, 2.5] and runs.y_column == "val_loss"
    mlflow = tmp_path / "m.csv"
    mlflow.write_text("metrics.loss,params.compute\n3.0,1e18\n2.5,1e19\n", encoding="utf-8")
    assert list(load_runs(mlflow).y) == [3.0, 2.5]


def test_every_ladder_keeps_what_the_file_said_about_its_runs() -> None:
    """The file, the columns, the sweep and the reader's warnings travel from the runs into every ladder."""
    from scaling_forecast.readers.runs import load_for_law
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import ladder

    for path, law, options, y_column in (
        (EXAMPLES / "runs.csv", "auto", {}, "loss"),
        (EXAMPLES / "chinchilla.csv", "chinchilla", {}, "loss"),
        (EXAMPLES / "pythia_tasks.csv", "auto", {"task": "piqa"}, "accuracy"),
        (EXAMPLES / "passrates.csv", "auto", {}, "-E[log pass_rate]"),
    ):
        runs, _ = load_for_law(path, law, **options)
        built = ladder(runs, FitSettings(law=law), excluded=("gone",), min_compute=1.0)
        assert (
            built.file == runs.file
            and built.file.startswith(str(path))
            and built.x_column == runs.x_column
            and built.y_column == y_column
        )
        assert built.sweep == runs.sweep and built.excluded == ("gone",) and built.min_compute == 1.0
        assert built.compute.size == built.y.size == len(built.names) > 3
    tasks, _ = load_for_law(EXAMPLES / "pythia_tasks.csv", "auto", task="piqa")
    assert ladder(tasks, FitSettings()).settings.law == "accuracy"  # no task loss: the calibrated default


@pytest.mark.parametrize(
    ("path", "law", "message"),
    [
        (
            "pythia_tasks.csv",
            "loss",
            "--law loss: {file} holds accuracies ('accuracy'); use a law of accuracy (two-step, gpt4, sigmoid, "
            "accuracy), or auto",
        ),
        (
            "runs.csv",
            "passrate",
            "--law passrate: the law reads pass rates; {file} holds a loss ('loss'); fit it with a loss law (or auto)",
        ),
        (
            "runs.csv",
            "gpt4",
            "--law gpt4: the law reads accuracies; {file} holds a loss ('loss'); fit it with a loss law (or auto)",
        ),
    ],
)
def test_a_law_that_reads_another_metric_is_refused_with_the_choices(path: str, law: str, message: str) -> None:
    from scaling_forecast.errors import ConfigError
    from scaling_forecast.readers.runs import load_for_law
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import ladder

    runs, _ = load_for_law(EXAMPLES / path, "auto", **({"task": "piqa"} if "tasks" in path else {}))
    with pytest.raises(ConfigError) as caught:
        ladder(runs, FitSettings(law=law))
    assert str(caught.value) == message.format(file=runs.file)


def _checkpointed() -> object:
    from scaling_forecast.engine.runs import Runs

    names = ("small", "small", "large", "large", "large", "mid")
    return Runs(
        x=np.array([1.0, 1.0, 4.0, 4.0, 4.0, 2.0]),
        y=np.array([0.3, 0.35, 0.5, 0.6, 0.61, 0.4]),
        names=names,
        x_column="compute",
        y_column="accuracy",
        file="runs.csv",
        columns=np.array([[3.0], [2.9], [2.5], [2.4], [2.4], [2.7]]),
        column_names=("task_loss",),
        metric="accuracy",
        steps=np.array([10.0, 20.0, 10.0, 20.0, 20.0, 5.0]),
    )


def test_each_runs_last_step_is_its_result_and_a_repeated_last_step_keeps_the_later_row() -> None:
    runs = _checkpointed()
    final = runs.final_rows()  # type: ignore[attr-defined]
    assert final.tolist() == [1, 4, 5] and final.dtype == np.intp
    assert runs.take(np.array([], dtype=np.intp)).x.size == 0  # type: ignore[attr-defined]


def test_taking_runs_takes_every_row_and_field_of_each() -> None:
    runs = _checkpointed()
    large = runs.take(np.array([4]))  # type: ignore[attr-defined]
    assert large.names == ("large", "large", "large")
    assert large.x.tolist() == [4.0, 4.0, 4.0] and large.y.tolist() == [0.5, 0.6, 0.61]
    assert large.columns.tolist() == [[2.5], [2.4], [2.4]] and large.steps.tolist() == [10.0, 20.0, 20.0]
    from dataclasses import replace

    plain = replace(runs, steps=None)
    picked = plain.take([5, 0])  # without checkpoints: the rows asked for, in that order
    assert picked.names == ("mid", "small") and picked.x.tolist() == [2.0, 1.0] and picked.y.tolist() == [0.4, 0.3]
    assert picked.columns.tolist() == [[2.7], [3.0]] and picked.steps is None
    assert plain.take([]).x.size == 0 and plain.final_rows().dtype == np.intp


def _accuracy_runs(columns: bool) -> object:
    from scaling_forecast.engine.runs import Runs

    compute = np.geomspace(1e19, 1e22, 8)
    accuracy = 0.25 + 0.6 / (1 + np.exp(-1.5 * (np.log10(compute) - 20.5)))
    task_loss = (2.5 - 0.4 * np.log10(compute / 1e19))[:, None] if columns else None
    return Runs(
        compute,
        accuracy,
        tuple(f"m{i}" for i in range(8)),
        "compute",
        "acc",
        "a.csv",
        "s1",
        columns=task_loss,
        column_names=("task_loss",) if columns else (),
        warnings=("left one out",),
        metric="accuracy",
    )


def test_every_kind_of_ladder_keeps_its_sweep_and_warnings_and_picks_its_default_law() -> None:
    from dataclasses import replace

    from scaling_forecast.engine.passrates import PassRateRuns
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import ladder

    for columns, law in ((False, "accuracy"), (True, "two-step")):
        built = ladder(_accuracy_runs(columns), FitSettings())  # type: ignore[arg-type]
        assert built.settings.law == law and built.sweep == "s1" and built.warnings == ("left one out",)
    loss_runs = replace(_accuracy_runs(False), metric="loss", y_column="loss")  # type: ignore[type-var]
    built = ladder(loss_runs, FitSettings(law="power"))
    assert built.sweep == "s1" and built.warnings == ("left one out",)
    rates = np.array([[0.0, 0.5, 0.4], [0.2, 0.6, 0.5], [0.3, 0.7, 0.6]])
    data = PassRateRuns(
        np.array([1e18, 1e19, 1e20]),
        ("a", "b", "c"),
        rates,
        ("p1", "p2", "p3"),
        True,
        None,
        "compute",
        "r.csv",
        1,
        sweep="s2",
    )
    built = ladder(data, FitSettings())
    assert built.sweep == "s2" and built.rate_runs is data and built.rates is not None
    assert built.rates.problems == ("p2", "p3")  # the default zero policy, subset, drops p1 (0 on run a)
    assert built.rates.zeros == "subset" and ladder(data, FitSettings(), "smooth").rates.zeros == "smooth"  # type: ignore[union-attr]


def test_a_ladder_fits_any_subset_of_its_runs_and_records_what_was_left_out() -> None:
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import Ladder, fit_law, ladder

    compute = np.geomspace(1e18, 1e21, 7)
    loss = 40.0 * compute**-0.08 * np.exp(np.random.default_rng(0).normal(0.0, 0.01, 7))
    settings = FitSettings(law="power", method="delta").resolved()
    built = Ladder(compute, loss, tuple(f"r{i}" for i in range(7)), settings, excluded=("r9",), min_compute=1e17)
    part = built.fit(np.array([0, 1, 2, 3, 4]))
    alone = fit_law(compute[:5], loss[:5], settings)
    assert [p.estimate for p in part.params] == pytest.approx([p.estimate for p in alone.params], rel=1e-12)
    assert part.data.excluded == ("r9",) and part.data.min_compute == 1e17 and part.data.n_runs == 5
    assert built.fit().data.n_runs == 7
    accuracy = ladder(_accuracy_runs(False), FitSettings())  # type: ignore[arg-type]
    assert accuracy.fit(np.array([0, 1, 2, 3, 4, 5])).data.n_runs == 6


def test_a_law_of_accuracy_from_arrays_reads_them_as_a_file_would() -> None:
    from scaling_forecast.errors import DataError
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import fit_law

    runs = _accuracy_runs(True)
    result = fit_law(runs.x, runs.y, FitSettings(law="accuracy"), file="f.csv", sweep="s", extra_warnings=("note",))  # type: ignore[attr-defined]
    assert (result.data.file, result.data.y_column, result.data.x_column, result.data.sweep) == (
        "f.csv",
        "accuracy",
        "compute",
        "s",
    )
    assert "note" in result.fit.warnings
    named = fit_law(runs.x, runs.y, FitSettings(law="accuracy"), y_column="acc_norm", x_column="flops")  # type: ignore[attr-defined]
    assert named.data.y_column == "acc_norm" and named.data.x_column == "flops"
    task_loss = runs.columns[:, 0]  # type: ignore[attr-defined]
    two = fit_law(runs.x, runs.y, FitSettings(law="two-step", n_boot=200), columns=task_loss)  # type: ignore[attr-defined]
    assert two.law == "two-step" and two.data.n_runs == 8
    with pytest.raises(DataError, match=r"^f\.csv: "):
        fit_law(-runs.x, runs.y, FitSettings(law="accuracy"), file="f.csv")  # type: ignore[attr-defined]


def test_fit_runs_splits_pass_rates_into_buckets_only_when_asked_and_passes_its_zero_policy() -> None:
    import scaling_forecast as sf
    from scaling_forecast.readers.runs import load_for_law

    rates, _ = load_for_law(EXAMPLES / "passrates.csv", "auto")
    whole = sf.fit_runs(rates, sf.FitSettings(method="delta"), zeros="smooth")
    assert whole.buckets == () and whole.data.problems is not None and whole.data.problems["zeros"] == "smooth"
    split = sf.fit_runs(rates, sf.FitSettings(method="delta"), zeros="smooth", buckets=2)
    assert len(split.buckets) == 2 and split.data.problems is not None and split.data.problems["zeros"] == "smooth"
    losses, _ = load_for_law(EXAMPLES / "runs.csv", "auto")
    assert sf.fit_runs(losses, sf.FitSettings(method="delta"), buckets=2).buckets == ()  # no problems to split


def test_a_curve_law_from_arrays_keeps_what_it_was_told_about_them() -> None:
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import Ladder, fit_law

    compute = np.geomspace(1e18, 1e21, 7)
    loss = 40.0 * compute**-0.08 * np.exp(np.random.default_rng(0).normal(0.0, 0.01, 7))
    settings = FitSettings(law="power", method="delta")
    result = fit_law(
        compute, loss, settings, file="f.csv", x_column="flops", y_column="val", sweep="s", extra_warnings=("note",)
    )
    assert (result.data.file, result.data.x_column, result.data.y_column, result.data.sweep) == (
        "f.csv",
        "flops",
        "val",
        "s",
    )
    assert "note" in result.fit.warnings
    assert fit_law(compute, loss, settings).data.file == "<data>"
    names = tuple(f"r{i}" for i in range(7))
    only_excluded = Ladder(compute, loss, names, settings.resolved(), excluded=("r9",)).fit()
    assert only_excluded.data.excluded == ("r9",) and only_excluded.data.min_compute is None
    only_threshold = Ladder(compute, loss, names, settings.resolved(), min_compute=1e17).fit()
    assert only_threshold.data.min_compute == 1e17 and only_threshold.data.excluded == ()


def _rate_runs(x_column: str = "compute") -> object:
    from scaling_forecast.engine.passrates import PassRateRuns

    rates = np.array([[0.2, 0.3, 0.25], [0.5, 0.6, 0.55], [0.95, 0.97, 0.96], [0.4, 0.5, 0.45]])
    return PassRateRuns(
        np.array([1e18, 1e19, 1e20, 3e18]),
        ("a", "b", "c", "d"),
        rates,
        ("p1", "p2", "p3"),
        True,
        None,
        x_column,
        "r.csv",
        1,
        sweep="s2",
    )


def test_every_ladder_keeps_its_runs_compute_column_and_a_fit_keeps_sweep_column_and_warnings() -> None:
    from dataclasses import replace

    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import ladder, rate_ladder

    accuracy = replace(_accuracy_runs(False), x_column="flops")  # type: ignore[type-var]
    loss = replace(accuracy, metric="loss", y_column="loss", y=3.0 - accuracy.y)
    for runs, settings in ((accuracy, FitSettings()), (loss, FitSettings(law="power", method="delta"))):
        built = ladder(runs, settings)
        assert built.x_column == "flops"
        fitted = built.fit()
        assert fitted.data.x_column == "flops" and fitted.data.sweep == "s1"
        assert "left one out" in fitted.fit.warnings
    rates = rate_ladder(_rate_runs("flops"), FitSettings(method="delta"))  # type: ignore[arg-type]
    assert rates.x_column == "flops" and rates.rates is not None and rates.rates.zeros == "subset"  # the default


def test_a_pass_rate_ladder_fits_a_subset_of_its_runs_with_their_own_computes_and_names() -> None:
    from scaling_forecast.engine.passrates import PassRateRuns
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.fit import fit_rates
    from scaling_forecast.tasks.ladder import rate_ladder

    data = _rate_runs()
    settings = FitSettings(method="delta")
    built = rate_ladder(data, settings)  # type: ignore[arg-type]
    part = built.fit(np.array([2, 0, 1]))
    assert part.data.n_runs == 3 and part.data.compute_max == 1e20 and part.data.compute_min == 1e18
    saturated = [w for w in part.fit.warnings if "saturate" in w]
    assert len(saturated) == 1 and "run 'c'" in saturated[0]  # run c's rates, named as c though it is row 0 here
    alone_runs = PassRateRuns(
        data.compute[[2, 0, 1]],
        ("c", "a", "b"),
        data.rates[[2, 0, 1]],
        data.problems,
        True,
        None,
        "compute",  # type: ignore[attr-defined]
        "r.csv",
        1,
        sweep="s2",
    )
    alone = fit_rates(alone_runs, alone_runs.apply_zeros("subset"), built.settings, ())
    assert [p.estimate for p in part.params] == pytest.approx([p.estimate for p in alone.params], rel=1e-12)


def test_a_law_of_accuracy_from_arrays_names_its_runs_columns_and_task_loss() -> None:
    from scaling_forecast.errors import DataError
    from scaling_forecast.settings import FitSettings
    from scaling_forecast.tasks.ladder import fit_law

    runs = _accuracy_runs(True)
    compute, accuracy = runs.x, runs.y.copy()  # type: ignore[attr-defined]
    bad = compute.copy()
    bad[1] = -1.0
    with pytest.raises(DataError, match=r"^f\.csv: flops\[1\] is -1\.0; "):
        fit_law(bad, accuracy, FitSettings(law="accuracy"), file="f.csv", x_column="flops")
    with pytest.raises(DataError, match=r"^f\.csv: acc\[1\] is -1\.0; "):
        fit_law(
            compute,
            np.where(np.arange(8) == 1, -1.0, accuracy),
            FitSettings(law="accuracy"),
            file="f.csv",
            y_column="acc",
        )
    accuracy[2] = 1.5
    with pytest.raises(DataError, match=r"^f\.csv: run 'run 3', 'accuracy': 1\.5 is not a share between 0 and 1"):
        fit_law(compute, accuracy, FitSettings(law="accuracy"), file="f.csv")
    two = fit_law(runs.x, runs.y, FitSettings(law="two-step", n_boot=200), columns=runs.columns[:, 0])  # type: ignore[attr-defined]
    assert two.data.y_column == "task_loss" and two.data.to_dict()["accuracy_column"] == "accuracy"
    pair = np.column_stack([runs.columns[:, 0], runs.columns[:, 0]])  # type: ignore[attr-defined]
    with pytest.raises(DataError, match=r"^<data>: --law two-step reads a task loss per run"):
        fit_law(runs.x, runs.y, FitSettings(law="two-step", n_boot=200), columns=pair)  # type: ignore[attr-defined]


def test_a_curve_law_from_arrays_passes_its_replicates_and_problem_notes_through() -> None:
    """``replicates`` replaces the residual bootstrap's data sets, and ``problems`` is reported as given: through
    :func:`fit_law` exactly as through :func:`fit_curve`."""
    from scaling_forecast.settings import FitSettings, Target
    from scaling_forecast.tasks.fit import fit_curve
    from scaling_forecast.tasks.ladder import fit_law

    compute = np.geomspace(1e18, 1e21, 7)
    loss = 40.0 * compute**-0.08 * np.exp(np.random.default_rng(0).normal(0.0, 0.01, 7))

    def replicates(rng: np.random.Generator, n_boot: int) -> np.ndarray:
        return np.log(loss)[None, :] + 0.05 * rng.standard_exponential((n_boot, loss.size))  # skewed, not Gaussian

    settings, targets = FitSettings(law="power", n_boot=200), (Target(1e23),)
    problems = {"n_problems": 3, "zeros": "subset"}
    through = fit_law(compute, loss, settings, targets, replicates=replicates, problems=problems)
    direct = fit_curve(compute, loss, settings, targets, replicates=replicates, problems=problems)
    plain = fit_law(compute, loss, settings, targets)
    assert through.predictions == direct.predictions and through.data.problems == problems
    assert plain.data.problems is None
    assert through.predictions[0].ci != pytest.approx(plain.predictions[0].ci, rel=1e-3)  # the replicates set it
