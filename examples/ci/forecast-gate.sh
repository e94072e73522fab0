#!/usr/bin/env bash
# Gate a large training run on the forecast from its small runs.
#   examples/ci/forecast-gate.sh [JOB.yaml]
# Exit code: 0 go, 1 a gate failed, 2 bad input, 3 the fit failed or is unreliable (--strict).
# The Markdown verdict goes to $GITHUB_STEP_SUMMARY when it is set (GitHub Actions), else to stdout;
# the JSON document (the same numbers, for scripts and artifacts) to $FORECAST_JSON (default forecast.json).
set -euo pipefail
job="${1:-configs/loss-job.yaml}"
summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"
document="${FORECAST_JSON:-forecast.json}"
report="$(mktemp)"
status=0
forecast check --config "$job" --format markdown --output "$report" || status=$?
if [ -s "$report" ]; then cat "$report" >> "$summary"; fi
rm -f "$report"
# the same fit again (same input and seed, same numbers), as JSON; its exit code is the one above
forecast check --config "$job" --format json --output "$document" 2> /dev/null || true
exit "$status"
