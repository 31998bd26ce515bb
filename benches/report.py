#!/usr/bin/env python3
"""Prints the BENCHMARKS.md table and ratios from the last `cargo bench --bench engine` run.

    python3 benches/report.py [target/criterion]

Reads criterion's `<group>/<function>/new/estimates.json` (median point estimates, ns) for the
bodies of benches/data and prints markdown: one row per body, one column per contender, then
the ratios of issue 5's targets (`jsonschema` already includes the parse).
"""

import json
import os
import sys

BODIES = ["small", "medium", "medium-notext", "large", "large-notext"]
CONTENDERS = ["parse", "jsonschema", "ammonia", "pulldown_cmark", "engine_check", "engine_update"]
HERE = os.path.dirname(os.path.abspath(__file__))


def median(root, body, fn):
    path = os.path.join(root, body, fn, "new", "estimates.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def fmt(ns):
    if ns is None:
        return "–"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "target", "criterion")
    m = {b: {c: median(root, b, c) for c in CONTENDERS} for b in BODIES}
    print("| body | bytes | " + " | ".join(f"`{c}`" for c in CONTENDERS) + " |")
    print("|---|---:|" + "---:|" * len(CONTENDERS))
    for b in BODIES:
        size = os.path.getsize(os.path.join(HERE, "data", f"{b}.json"))
        print(f"| {b} | {size} | " + " | ".join(fmt(m[b][c]) for c in CONTENDERS) + " |")
    print()
    print("Ratios of medians (`engine_update` over the floors); the target that applies to a body is in bold.")
    print()
    print("| body | update / parse (≤ 0.8 without text) | update / jsonschema, i.e. parse + `is_valid` (≤ 0.6 without text) | update / (parse + ammonia + pulldown-cmark) (≤ 1.1 with text) |")
    print("|---|---:|---:|---:|")
    for b in BODIES:
        x = m[b]
        u, p, j = x["engine_update"], x["parse"], x["jsonschema"]
        if None in (u, p, j):
            continue
        has_text = x["ammonia"] is not None or x["pulldown_cmark"] is not None
        floors = p + (x["ammonia"] or 0) + (x["pulldown_cmark"] or 0)

        def cell(r, target, applies):
            if not applies:
                return f"{r:.2f}"
            return f"**{r:.2f}** {'met' if r <= target else 'not met'}"

        print(f"| {b} | {cell(u / p, 0.8, not has_text)} | {cell(u / j, 0.6, not has_text)} | {cell(u / floors, 1.1, has_text) if has_text else '–'} |")

if __name__ == "__main__":
    main()
