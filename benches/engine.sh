#!/usr/bin/env bash
# The engine benchmark in one command: installs what is missing, builds dist/ and the generator, then runs
# benches/engine.mjs (arguments pass through, e.g. `bash benches/engine.sh 10k,100k`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/.ci/setup.sh"
cd "$ROOT"
trunk build --release
cargo build --release --locked --bin spanlens-gen
node benches/engine.mjs "$@"
