#!/usr/bin/env bash
# Runs every cargo-fuzz target and prints a line of figures each: executions, seconds, executions per second,
# crashes (a panic, a failed assertion, a hang over 10 s, or over 4 GB of memory). RUNS=N executions each
# (default 10 million), stopping sooner after SECONDS_EACH=S seconds if set (CI's short run);
# TARGETS="otlp search" to run some. Installs the nightly toolchain and cargo-fuzz when missing.
# A crash stops its target and leaves the input in fuzz/artifacts/<target>/: keep it as a regression test in
# tests/data/fuzz/ (tests/adversarial.rs reads every file there).
set -euo pipefail
FUZZ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$FUZZ"
export PATH="$HOME/.cargo/bin:$PATH"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo fuzz --version 2>/dev/null | grep -q ' 0.13.2' || cargo install cargo-fuzz --version 0.13.2 --locked
python3 seeds.py
# No AddressSanitizer (-s none): the code fuzzed has no unsafe block, and ASan made it five times slower.
# Debug assertions and overflow checks stay on (-a): an overflow on hostile input is a finding.
cargo +nightly fuzz build -O -a -s none
mkdir -p logs
limit=(-runs="${RUNS:-10000000}")
[ -n "${SECONDS_EACH:-}" ] && limit+=(-max_total_time="$SECONDS_EACH")
status=0
printf '%-12s %12s %8s %10s %s\n' target executions seconds 'exec/s' result
for target in ${TARGETS:-otlp jaeger zipkin console document slices search}; do
  log="logs/$target.log"
  # -rss_limit_mb: an input that makes the reader hold gigabytes is a finding too. -timeout: one input may
  # take at most 10 s.
  # Whole inputs are kept to 4 KB (what the scanner and the readers do with a document shows at that size, and
  # a run then reaches its 10 million executions in under an hour); spans to 8 KB.
  case "$target" in document|slices|console) max_len=4096 ;; *) max_len=8192 ;; esac
  if cargo +nightly fuzz run -O -a -s none "$target" "corpus/$target" -- "${limit[@]}" -rss_limit_mb=4096 -timeout=10 \
      -max_len="$max_len" -print_final_stats=1 >"$log" 2>&1; then
    result="0 crashes"
  else
    result="CRASH: see fuzz/$log and fuzz/artifacts/$target/"
    status=1
  fi
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  secs="$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  printf '%-12s %12s %8s %10s %s\n' "$target" "${runs:-?}" "${secs:-?}" "${rate:-?}" "$result"
done
exit "$status"
