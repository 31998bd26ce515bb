#!/usr/bin/env bash
# Instructions per run (callgrind), for every bench body and contender: a measure that does
# not move with the machine's load, beside criterion's wall-clock medians. Each figure is
# (instructions for 2N runs - instructions for N runs) / N, so setup is excluded. The
# contenders are the criterion bench's own (benches/common/floors.rs); `text` is ammonia on
# the body's HTML plus pulldown-cmark on its markdown.
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
printf '| body | parse | jsonschema | text | check | update | update / parse | update / jsonschema | update / (parse + text) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for body in small medium medium-notext large large-notext; do
  declare -A per=()
  for mode in parse jsonschema text check update; do
    one=$(count "$body" "$n" "$mode")
    two=$(count "$body" "$((2 * n))" "$mode")
    per[$mode]=$(((two - one) / n))
  done
  awk -v b="$body" -v p="${per[parse]}" -v j="${per[jsonschema]}" -v t="${per[text]}" -v c="${per[check]}" \
    -v u="${per[update]}" 'BEGIN {
      floors = (t > 1000) ? sprintf("%.2f", u / (p + t)) : "–"
      printf "| %s | %d | %d | %d | %d | %d | %.2f | %.2f | %s |\n", b, p, j, t, c, u, u / p, u / j, floors
    }'
done
