"""The CLI fuzz suite run long: many more examples than CI, drawn afresh each run.

    python benchmarks/fuzz.py [--examples 2000]

Runs ``tests/cli/test_fuzz.py`` with ``FUZZ_EXAMPLES`` examples per test (four tests: random bytes,
random tables, random JSON/YAML documents, plausible ladders with one odd cell, each with random
options) and ``FUZZ_EXPLORE=1`` (not derandomised, so every run draws new inputs). A failure prints
hypothesis's smallest failing input; add it to ``tests/cli/test_exit_contract.py`` once fixed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per test")
    args = parser.parse_args()
    env = {**os.environ, "FUZZ_EXAMPLES": str(args.examples), "FUZZ_EXPLORE": "1"}
    start = time.perf_counter()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/cli/test_fuzz.py"]
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    elapsed = time.perf_counter() - start
    verdict = "held" if code == 0 else "FAILED"
    total = 4 * args.examples
    print(f"fuzz: {total} examples in {elapsed:.0f} s ({total / elapsed:.1f}/s); property {verdict}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
