#!/usr/bin/env bash
# Regenerate the README's figures (needs the plot extra: pip install '.[plot]'). Same input, same images.
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/figures
forecast fit examples/runs.csv --target 1e24 --plot "$out/fit.png" > /dev/null
forecast fit examples/passrates.csv --target 1e22 --buckets 3 --plot "$out/passrate.png" > /dev/null
forecast compare examples/sweeps.csv --by sweep --target 1e24 --plot "$out/compare.png" > /dev/null 2>&1
forecast backtest examples/runs.csv --holdout 3 --plot "$out/backtest.png" > /dev/null
forecast optimal examples/chinchilla.csv --budget 1e21 --budget 5.88e23 --plot "$out/optimal.png" > /dev/null
echo "wrote $out/fit.png passrate.png compare.png backtest.png optimal.png"
