#!/usr/bin/env bash
# Instructions per run (callgrind), for every bench body and contender: a measure that does
# not move with the machine's load, beside criterion's wall-clock medians. Each figure is
# (instructions for 2N runs - instructions for N runs) / N, so setup is excluded.
# Needs valgrind. Usage: bash benches/instructions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
cargo build --release --example profile-loop -q
bin=target/release/examples/profile-loop
count() { # body runs mode -> total instructions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$3" 2>&1 >/dev/null |
    sed -n 's/.*refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}
printf '| body | parse | check | update | check / parse | update / parse |\n|---|---:|---:|---:|---:|---:|\n'
for body in small medium medium-notext large large-notext; do
  declare -A per=()
  for mode in parse check update; do
    one=$(count "$body" "$n" "$mode")
    two=$(count "$body" "$((2 * n))" "$mode")
    per[$mode]=$(((two - one) / n))
  done
  awk -v b="$body" -v p="${per[parse]}" -v c="${per[check]}" -v u="${per[update]}" \
    'BEGIN { printf "| %s | %d | %d | %d | %.2f | %.2f |\n", b, p, c, u, c / p, u / p }'
done
