#!/usr/bin/env bash
# The browser benchmark in one command: installs what is missing, builds dist/ and the generator, then runs
# benches/browser.mjs, or benches/$BENCH.mjs (arguments pass through, e.g. `bash benches/browser.sh 10k,100k`,
# `BENCH=engine bash benches/browser.sh 100k`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/.ci/setup.sh"
cd "$ROOT"
trunk build --release
cargo build --release --locked --bin spanlens-gen
node "benches/${BENCH:-browser}.mjs" "$@"
