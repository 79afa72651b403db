#!/usr/bin/env bash
# The differential tests against Go's standard library with 25 times the
# usual generated cases (about 10^5 for base64, CSV and durations, 50,000
# request targets, 6,400 certificate chains, 3,750 policy chains, 36,000
# proxy decisions, 80,000 templates):
# longer than CI runs, for before a release.
#
# Usage: bash bench/long_run.sh [SCALE]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
export GOTOOLCHAIN=local GOPROXY=off KAUTH_ORACLE_SCALE="${1:-25}"
start=$(date +%s)
cargo test --release --test cli -- \
    base64_go csv_go proxy_go request_target_go template_go x509_go durations_parse_exactly_as_go 2>&1 | tee /tmp/kauth-long-run.log | grep -E "^test |test result|differ|agree"
echo "scale ${KAUTH_ORACLE_SCALE}: $(( $(date +%s) - start ))s"
