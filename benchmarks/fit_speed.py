"""End-to-end time of ``forecast fit examples/runs.csv`` against the same command at an earlier revision.

    python benchmarks/fit_speed.py [--against ee37a66] [--repeats 15] [ARGS ...]

The earlier revision's ``src/`` is exported with ``git archive`` into a temporary folder, and both
versions run as fresh processes (``python -c 'from scaling_forecast.cli import main; main()' fit
...``), alternating, so that the machine's load hits both alike. Prints the median wall time of
each, process start included, and their ratio. ``ee37a66`` is the last commit before the default
procedure took the law choice into its interval (issue 12).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = "from scaling_forecast.cli import main; main()"


def export(revision: str, folder: Path) -> Path:
    """``src/`` of ``revision`` unpacked into ``folder``."""
    archive = folder / "src.tar"
    with open(archive, "wb") as stream:
        subprocess.run(["git", "archive", revision, "src"], cwd=ROOT, stdout=stream, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def timed(source: Path, args: list[str]) -> float:
    environment = {**os.environ, "PYTHONPATH": str(source)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", RUN, *args], cwd=ROOT, env=environment, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="ee37a66", help="the earlier revision")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("args", nargs="*", default=["fit", "examples/runs.csv"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        before = export(options.against, Path(folder))
        now = ROOT / "src"
        timed(before, options.args), timed(now, options.args)  # warm the file cache
        times: dict[str, list[float]] = {"before": [], "now": []}
        for _ in range(options.repeats):
            times["before"].append(timed(before, options.args))
            times["now"].append(timed(now, options.args))
    before_median, now_median = statistics.median(times["before"]), statistics.median(times["now"])
    command = "forecast " + " ".join(options.args)
    print(f"{command}: {options.repeats} runs each, alternating, process start included")
    print(f"  at {options.against}: median {before_median:.3f} s (min {min(times['before']):.3f})")
    print(f"  now:        median {now_median:.3f} s (min {min(times['now']):.3f})")
    print(f"  ratio now / {options.against}: {now_median / before_median:.2f}x")


if __name__ == "__main__":
    main()
