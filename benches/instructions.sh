#!/usr/bin/env bash
# Instructions per run (callgrind), for every bench body and contender: a measure that does
# not move with the machine's load, beside criterion's wall-clock medians. Each figure is
# (instructions for 2N runs - instructions for N runs) / N, so setup is excluded. The
# contenders are the criterion bench's own (benches/common/floors.rs); `text` is ammonia on
# the body's HTML plus pulldown-cmark on its markdown. A second table does the same for the
# JSON parsers of benches/common/parsers.rs (ours, simd-json, sonic-rs: each crate's own value
# and its parse into the engine's tree) and gives the update's ratios with each crate's parse
# into the tree in place of ours (update - ours + crate).
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
floors=() parsers=()
for body in small medium medium-notext large large-notext; do
  declare -A per=()
  for mode in parse jsonschema text check update ours simd-json simd-json-tree sonic-rs sonic-rs-tree; do
    one=$(count "$body" "$n" "$mode")
    two=$(count "$body" "$((2 * n))" "$mode")
    per[$mode]=$(((two - one) / n))
  done
  floors+=("$(awk -v b="$body" -v p="${per[parse]}" -v j="${per[jsonschema]}" -v t="${per[text]}" -v c="${per[check]}" \
    -v u="${per[update]}" 'BEGIN {
      floors = (t > 1000) ? sprintf("%.2f", u / (p + t)) : "–"
      printf "| %s | %d | %d | %d | %d | %d | %.2f | %.2f | %s |\n", b, p, j, t, c, u, u / p, u / j, floors
    }')")
  parsers+=("$(awk -v b="$body" -v p="${per[parse]}" -v j="${per[jsonschema]}" -v t="${per[text]}" -v u="${per[update]}" \
    -v o="${per[ours]}" -v sv="${per[simd-json]}" -v st="${per[simd-json-tree]}" -v nv="${per[sonic-rs]}" \
    -v nt="${per[sonic-rs-tree]}" 'function target(x) { # the update with x in place of ours, against its target
      x = u - o + x
      return (t > 1000) ? sprintf("%.2f", x / (p + t)) : sprintf("%.2f · %.2f", x / p, x / j)
    }
    BEGIN {
      printf "| %s | %d | %d | %d | %d | %d | %d | %s | %s | %s |\n", b, o, p, sv, st, nv, nt, target(o), target(st), target(nt)
    }')")
done
printf '| body | parse | jsonschema | text | check | update | update / parse | update / jsonschema | update / (parse + text) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
printf '%s\n' "${floors[@]}"
printf '\nParsers (instructions per parse) and the update against its target (≤ 0.8 × parse · ≤ 0.6 ×\n'
printf 'jsonschema without text, ≤ 1.1 × (parse + text) with text), now and with a crate in place of ours:\n\n'
printf '| body | ours → Json | serde_json Value | simd-json value | simd-json → Json | sonic-rs value | sonic-rs → Json | update now | with simd-json → Json | with sonic-rs → Json |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
printf '%s\n' "${parsers[@]}"
