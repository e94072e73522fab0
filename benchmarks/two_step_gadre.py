"""The two-step law on an over-training grid: step 1 on compute alone against step 1 as L(N, D).

Run: ``python benchmarks/two_step_gadre.py`` (needs ``../shared/data/gadre-overtrain``; about 11 s).

Gadre et al. (2024) trained each model size at token multipliers from 5 to 640 on C4, RedPajama and
RefinedWeb. For each training set, the models below 500M parameters (32 runs: 4 sizes x 8
multipliers) are written as a user would and fitted with ``forecast fit FILE --chance 0 -f json``,
the accuracy being one minus the mean top-1 error over the 17-task subset and the task loss the C4
validation loss; the held-out models are the 1.4B (multipliers 20 and one over-trained) and 6.9B
(multiplier 20) runs:

* compute only: the file gives ``compute`` (6 N D), and step 1 fits the loss against compute;
* L(N, D): the file gives ``params`` and ``tokens``; step 1 is the chinchilla law, and each held-out
  run is forecast at its own ``--at N,D``.

Prints each held-out run's forecast error and whether the 90% pi held it, and per approach the mean
absolute and signed error and the pi coverage.
"""

from __future__ import annotations

import csv
import statistics
import tempfile
from pathlib import Path

from two_step_checkpoints import fit_json

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gadre-overtrain" / "gadre_models.csv"
SETS = {"c4_original": "C4", "rpj": "RedPajama", "rw_original": "RefinedWeb"}


def main() -> None:
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent")
    with DATA.open() as handle:
        models = list(csv.DictReader(handle))
    scores: dict[str, list[tuple[float, bool]]] = {"compute only": [], "L(N, D)": []}
    with tempfile.TemporaryDirectory() as folder:
        for key, name in SETS.items():
            rows = [m for m in models if m["dataset"] == key]
            small = [m for m in rows if float(m["N_params"]) < 5e8]
            held = [m for m in rows if float(m["N_params"]) >= 1e9]
            grid, flat = Path(folder) / "grid.csv", Path(folder) / "compute.csv"
            lines = [
                (m["name"], m["N_params"], m["D_tokens"], m["loss_c4_val"], 1 - float(m["err_avg17_subset"]))
                for m in small
            ]
            grid.write_text(
                "run,params,tokens,task_loss,accuracy\n"
                + "".join(f"{r},{n},{d},{loss},{a:.6f}\n" for r, n, d, loss, a in lines)
            )
            flat.write_text(
                "run,compute,task_loss,accuracy\n"
                + "".join(f"{r},{6 * float(n) * float(d):.8g},{loss},{a:.6f}\n" for r, n, d, loss, a in lines)
            )
            truth = [1 - float(m["err_avg17_subset"]) for m in held]
            at = [arg for m in held for arg in ("--at", f"{m['N_params']},{m['D_tokens']}")]
            targets = [arg for m in held for arg in ("-t", f"{6 * float(m['N_params']) * float(m['D_tokens']):.8g}")]
            results = {"compute only": fit_json(flat, targets), "L(N, D)": fit_json(grid, at)[-len(held) :]}
            for approach, predictions in results.items():
                cells = []
                for p, actual, m in zip(predictions, truth, held, strict=True):
                    low, high = p["pi"]  # type: ignore[misc]
                    error, inside = float(p["estimate"]) - actual, low <= actual <= high  # type: ignore[arg-type]
                    scores[approach].append((error, inside))
                    size = f"{float(m['N_params']) / 1e9:.1f}B x{float(m['tokens_per_param']):.0f}"
                    cells.append(f"{size} {error:+.3f} ({'y' if inside else 'n'})")
                print(f"{name:10s} {approach:12s} {' / '.join(cells)}")
    for approach, scored in scores.items():
        mae = statistics.fmean(abs(e) for e, _ in scored)
        signed = statistics.fmean(e for e, _ in scored)
        coverage = statistics.fmean(float(c) for _, c in scored)
        print(
            f"all        {approach:12s} n {len(scored)}  MAE {mae:.3f}  signed {signed:+.3f}  pi covers {coverage:.2f}"
        )


if __name__ == "__main__":
    main()
