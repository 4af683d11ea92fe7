#!/usr/bin/env bash
# Runs every test of spanlens: native unit and integration tests, a short run of each fuzz target, the
# release build of the web app, the in-browser wasm tests and the Playwright tests against the built dist/.
# Installs what it needs first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/.ci/setup.sh"
cd "$ROOT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "native tests (core: formats, model, analysis, generator)"
cargo test --locked

step "fuzz targets, 15 s each (the long runs: bash fuzz/run.sh; figures in the README)"
SECONDS_EACH=15 bash fuzz/run.sh

step "release build of the web app (trunk → dist/)"
trunk build --release

if grep -rqs "wasm_bindgen_test" src tests/*.rs; then
  step "in-browser wasm tests (wasm-bindgen-test in headless chromium)"
  CHROMEDRIVER=/usr/bin/chromedriver cargo test --locked --target wasm32-unknown-unknown --lib
fi

step "browser tests (Playwright + chromium against dist/)"
node --test --test-concurrency=1 tests/e2e/
