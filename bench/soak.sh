#!/usr/bin/env bash
# The no-panic property tests (tests/cli/no_panics.rs) with many more
# cases per parser than CI runs: 10^6 by default.
#
# Usage: bash bench/soak.sh [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."
export KAUTH_SOAK_CASES="${1:-1000000}"
cargo build --release --tests --quiet
start=$(date +%s)
for t in $(cargo test --release --test cli -- --list 2>/dev/null | sed -n 's/^\(no_panics::[a-z0-9_]*\): test$/\1/p'); do
    t0=$(date +%s)
    cargo test --release --quiet --test cli -- --exact "$t" >/dev/null 2>&1 && status=ok || status=FAILED
    echo "$t: $KAUTH_SOAK_CASES cases, $status, $(( $(date +%s) - t0 ))s"
done
echo "soak: $(( $(date +%s) - start ))s"
