#!/usr/bin/env python3
"""Writes the hostile text bodies of the README's "Limits" section into a directory.

Each is a 1 MiB `IUserBody` for the form `hostile` (written to OUT_DIR/forms: eight `text`
attributes without validators) that fills all eight in 14 languages with markdown built to make
the stored record as large as possible per byte sent:

  tables.json       many small tables whose rows are one control character (the attack of
                    issue 12: pulldown-cmark padded every row to the header's width)
  wide-tables.json  tables of 256 columns and 1 000 one-character rows (before the fix each row
                    was padded to 256 cells: about 2.3 MB of HTML per 3 KB table)
  blockquotes.json  lines of nested `>` (the construct that grows most now, about 29x)
  prose.json        ordinary markdown (headings, emphasis, links, lists, a table), for scale:
                    what a real 1 MiB body stores

Usage: python3 scripts/hostile-text-bodies.py OUT_DIR
then, for each body:
  /usr/bin/time -v target/release/examples/validate-body --forms OUT_DIR/forms OUT_DIR/x.json
"""

import json
import os
import sys

LANGS = ["en_US", "fr_FR", "de_DE", "es_ES", "it_IT", "pt_PT", "ru_RU",
         "ja_JP", "zh_CN", "ko_KR", "nl_NL", "pl_PL", "sv_SE", "tr_TR"]
STRING = 64 << 10  # the default limit per string
BODY = 1 << 20     # the default limit per body


PROSE = ("## Opening hours\n\nWe are open *Monday to Friday*, **nine to five**; see "
         "[the calendar](https://example.com/calendar) or call `+1 555 0100`.\n\n"
         "- weekends by appointment\n- holidays closed\n\n| day | open |\n|---|---|\n| Mon | 9 |\n\n")


def fill(unit, size):
    return unit * (size // len(unit))


MARKERS = [f"t{n}" for n in range(1, 9)]
FORM = {
    "identifier": "hostile",
    "attributes": [{"marker": m, "type": "text", "position": n} for n, m in enumerate(MARKERS, 1)],
}


def body(md, langs=LANGS):
    form_data = {
        lang: [{"marker": m, "type": "text", "value": {"mdValue": md}} for m in MARKERS] for lang in langs
    }
    return {"formIdentifier": "hostile", "formData": form_data}


def sized(md_unit, budget=BODY):
    """The largest body of `md_unit` repeated that fits `budget` bytes once encoded."""
    per_text = (budget - 4096) // (len(MARKERS) * len(LANGS))
    md = fill(md_unit, min(STRING, per_text))
    while len(json.dumps(body(md))) > budget:
        md = md[: len(md) - len(md_unit)]
    return md


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "forms"), exist_ok=True)
    with open(os.path.join(out, "forms", "hostile.json"), "w") as f:
        json.dump(FORM, f, indent=2)
    table = "|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|a|\n|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|\n" + "\u0001\n" * 64 + "\n"
    quotes = ">" * 16 + "x\n\n"
    wide = "|a" * 256 + "|\n" + "|-" * 256 + "|\n" + "x\n" * 1000 + "\n"
    bodies = {
        "tables.json": body(sized(table)),
        "wide-tables.json": body(sized(wide)),
        "blockquotes.json": body(sized(quotes)),
        "prose.json": body(sized(PROSE)),
    }
    for name, b in bodies.items():
        text = json.dumps(b)
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
        print(f"{name}: {len(text)} bytes")


if __name__ == "__main__":
    main()
