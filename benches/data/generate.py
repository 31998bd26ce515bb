#!/usr/bin/env python3
"""Generates the benchmark bodies in this directory, deterministically.

    python3 benches/data/generate.py            # rewrites benches/data/*.json
    python3 benches/data/generate.py --ndjson N  # prints N bodies, one a line (batch-mode input)

Every body targets the repository's `reg` form (schemas/forms/reg.json) and is one the engine
accepts when applied to an empty record of that form (what `validate-body` uses by default):

- small.json   (~0.5 KB) two strings and a date;
- medium.json  (~3 KB)   every attribute type of `reg` once that a body may carry (`button`
                         carries no value and `reg` has no `spam`), an HTML text and a markdown
                         text; the password is left out on purpose (it is Argon2id-hashed on every
                         update, which would measure the hash and not the validator);
- large.json   (~30 KB)  entries in two languages (en_US, ru_RU) keyed by language as the
                         OneEntry SDK sends them, with a long markdown text;
- *-notext.json          the same bodies without their `text`/`textWithHeader` entries (small has
                         none, so it has no such variant).

Dates: `formattedValue` is `fullDate` rendered with the moment.js `formatString` at a real UTC
offset (the picker's zone), as the OneEntry admin produces it.

Output is compact JSON (what the SDK's JSON.stringify sends), UTF-8, no trailing newline.
No randomness beyond a seeded PRNG, so the files are byte-for-byte reproducible.
"""

import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# helpers


def moment(full_date: str, fmt: str, offset_minutes: int) -> str:
    """Renders an RFC 3339 UTC instant with a small subset of moment.js tokens at an offset."""
    t = datetime.strptime(full_date, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    t = t.astimezone(timezone(timedelta(minutes=offset_minutes)))
    tokens = [
        ("YYYY", f"{t.year:04d}"),
        ("MM", f"{t.month:02d}"),
        ("DD", f"{t.day:02d}"),
        ("HH", f"{t.hour:02d}"),
        ("mm", f"{t.minute:02d}"),
        ("ss", f"{t.second:02d}"),
    ]
    out, i = "", 0
    while i < len(fmt):
        for tok, val in tokens:
            if fmt.startswith(tok, i):
                out += val
                i += len(tok)
                break
        else:
            out += fmt[i]
            i += 1
    return out


def date_value(full_date: str, fmt: str, offset_minutes: int) -> dict:
    return {"fullDate": full_date, "formattedValue": moment(full_date, fmt, offset_minutes), "formatString": fmt}


def entry(marker: str, kind: str, value) -> dict:
    return {"marker": marker, "type": kind, "value": value}


EN_WORDS = (
    "the engine validates every entry against its form and applies the whole update atomically "
    "profile user settings language value marker attribute stored record version update request "
    "service team release support customer account travel music garden kitchen weekend mountain "
    "river city library coffee morning evening project design quality history science nature "
    "friends family careful simple clear honest quick steady bright quiet open"
).split()
RU_WORDS = (
    "профиль пользователь настройки язык значение поле форма запись версия обновление запрос "
    "сервис команда выпуск поддержка клиент аккаунт путешествие музыка сад кухня выходные гора "
    "река город библиотека кофе утро вечер проект дизайн качество история наука природа друзья "
    "семья простой ясный честный быстрый спокойный светлый тихий открытый"
).split()


def sentence(rng: random.Random, words, n_min=8, n_max=18) -> str:
    n = rng.randint(n_min, n_max)
    s = " ".join(rng.choice(words) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def paragraph(rng, words, sentences=4) -> str:
    return " ".join(sentence(rng, words) for _ in range(sentences))


def markdown_doc(rng, words, target_bytes: int) -> str:
    """A markdown document of about `target_bytes` bytes: headings, emphasis, lists, links, code."""
    parts = []
    section = 1
    while len("\n\n".join(parts).encode()) < target_bytes:
        parts.append(f"## {sentence(rng, words, 2, 4)[:-1]} {section}")
        parts.append(f"{sentence(rng, words)} **{rng.choice(words)}** {paragraph(rng, words, 2)}")
        parts.append(
            "\n".join(f"- {sentence(rng, words, 3, 7)} See [note {section}.{i}](https://example.com/notes/{section}/{i})." for i in range(1, 4))
        )
        parts.append(f"{paragraph(rng, words, 2)} Use `value_{section}` with *care*.")
        if section % 3 == 0:
            parts.append(f"> {sentence(rng, words)}")
            parts.append("```\nlet x = " + str(section) + ";\n```")
        section += 1
    return "\n\n".join(parts)


def markdown_short(rng, words) -> str:
    """A short markdown note: a heading, emphasis, a link and a two-item list."""
    return (
        f"### {sentence(rng, words, 2, 3)[:-1]}\n\n{sentence(rng, words, 6, 9)} **{rng.choice(words)}** "
        f"and *{rng.choice(words)}*, see [the docs](https://example.com/docs).\n\n"
        f"- {sentence(rng, words, 3, 5)}\n- {sentence(rng, words, 3, 5)} `code`\n"
    )


def html_doc(rng, words, paragraphs: int, items: int = 3) -> str:
    out = []
    for i in range(paragraphs):
        s1, s2 = sentence(rng, words), sentence(rng, words)
        out.append(
            f'<p>{s1} <strong>{rng.choice(words)}</strong> {s2} '
            f'<a href="https://example.com/p/{i}" title="more">{rng.choice(words)}</a> '
            f'<em>{rng.choice(words)}</em><br></p>'
        )
    out.append("<ul>" + "".join(f"<li>{sentence(rng, words, 3, 6)}</li>" for _ in range(items)) + "</ul>")
    return "".join(out)


def plain_of(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", html).replace("  ", " ").strip()


def image(rng, name: str, ext: str) -> dict:
    path = f"images/users/1/{name}.{ext}"
    return {
        "filename": path,
        "downloadLink": f"https://cdn.example.com/{path}",
        "size": rng.randint(20_000, 2_000_000),
        "previewLink": f"https://cdn.example.com/preview/{path}",
        "params": {"isImageCompressed": True},
    }


def document(rng, name: str) -> dict:
    path = f"files/users/1/{name}"
    return {"filename": path, "downloadLink": f"https://files.example.com/{path}", "size": rng.randint(1_000, 900_000)}


def text_html(html: str) -> dict:
    return {"htmlValue": html, "plainValue": plain_of(html), "params": {"isEditorDisabled": False, "isImageCompressed": True, "editorMode": "html"}}


def text_md(header: str, md: str) -> dict:
    return {"header": header, "mdValue": md, "params": {"isEditorDisabled": False, "editorMode": "markdown"}}


TEXT_TYPES = {"text", "textWithHeader"}

# ---------------------------------------------------------------------------------------------
# bodies


def small() -> dict:
    return {
        "formIdentifier": "reg",
        "langCode": "en_US",
        "formData": {
            "en_US": [
                entry("first_name", "string", "Margaret"),
                entry("last_name", "string", "Hamilton-Oyelaran"),
                # A date picker in UTC+03:00: local midnight of 17 Aug 1986.
                entry("birthday", "date", date_value("1986-08-16T21:00:00.000Z", "DD-MM-YYYY", 180)),
            ]
        },
        "notificationData": {"email": "margaret.hamilton@example.com", "phonePush": [], "phoneSMS": ""},
        "state": {"onboarding": {"step": 3, "completed": False}, "theme": "dark", "newsletter": True},
    }


def medium_entries(rng, lang_words, offset: int, with_login: bool, suffix: str = "") -> list:
    e = []
    if with_login:
        e.append(entry("email", "string", "  Margaret.Hamilton@Example.com "))
    e += [
        entry("first_name", "string", "Margaret"),
        entry("last_name", "string", "Hamilton-Oyelaran"),
        entry("phone", "string", "+7 (912) 345-67-89"),
        entry("sms_phone", "string", "+15551234567"),
        entry("age", "integer", "38"),
        entry("height", "real", 1.68),
        entry("weight", "float", "61.5"),
        entry("birthday", "date", date_value("1986-08-16T21:00:00.000Z", "DD-MM-YYYY", offset)),
        entry("meeting", "dateTime", date_value("2024-05-07T21:02:00.000Z", "DD-MM-YYYY HH:mm", offset)),
        entry("wake_up", "time", date_value("2024-01-01T03:30:00.000Z", "HH:mm", offset)),
        entry("about", "text", text_html(html_doc(rng, lang_words, 1, 2))),
        entry("bio", "textWithHeader", text_md("My story" + suffix, markdown_short(rng, lang_words))),
        entry("avatar", "image", image(rng, "avatar", "png")),
        entry("gallery", "groupOfImages", [image(rng, "gallery/1", "jpg"), image(rng, "gallery/2", "png")]),
        entry("picture", "file", document(rng, "cv.pdf")),
        entry("selector", "radioButton", {"title": "green", "value": "2", "extended": {"value": "зелёный", "type": "string"}}),
        entry("colors", "list", [{"title": "red", "value": "1", "extended": {"value": "красный", "type": "string"}}, "3"]),
        entry("country", "list", "de"),
        entry("entity-selector", "entity", [7, 12, "p-1-123", "p-2-9"]),
        entry("interval", "timeInterval", [["2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z"]]),
    ]
    return e


def medium() -> dict:
    rng = random.Random(2)
    return {
        "formIdentifier": "reg",
        "langCode": "en_US",
        "formData": {"en_US": medium_entries(rng, EN_WORDS, 180, with_login=True)},
        "notificationData": {"email": "margaret.hamilton@example.com", "phonePush": ["+15557654321"], "phoneSMS": "+15551234567"},
        "state": {"onboarding": {"step": 5, "completed": True}, "theme": "dark", "locale": "en_US"},
    }


def large_entries(rng, words, offset: int, with_login: bool, lang: str) -> list:
    e = medium_entries(rng, words, offset, with_login, suffix=f" ({lang})")
    by_marker = {x["marker"]: x for x in e}
    by_marker["about"]["value"] = text_html(html_doc(rng, words, 5))
    by_marker["bio"]["value"] = text_md("My story", markdown_doc(rng, words, 5_000))
    by_marker["gallery"]["value"] = [image(rng, f"gallery/{i}", "jpg") for i in range(1, 11)]
    by_marker["picture"]["value"] = [document(rng, f"doc-{i}.pdf") for i in range(1, 6)]
    by_marker["entity-selector"]["value"] = [i * 3 for i in range(1, 31)] + [f"p-{i}-{i * 7}" for i in range(1, 31)]
    start = datetime(2025, 2, 3, 8, tzinfo=timezone.utc)
    pairs = []
    for d in range(20):
        a = start + timedelta(days=d, hours=d % 3)
        b = a + timedelta(hours=4 + d % 5)
        pairs.append([a.strftime("%Y-%m-%dT%H:%M:%S.000Z"), b.strftime("%Y-%m-%dT%H:%M:%S.000Z")])
    by_marker["interval"]["value"] = pairs
    return e


def large() -> dict:
    rng = random.Random(3)
    state = {
        "onboarding": {"step": 5, "completed": True},
        "theme": "dark",
        "recent": [{"page": f"/catalog/{i}", "at": f"2025-01-{i + 1:02d}T10:00:00Z"} for i in range(20)],
        "flags": {f"feature_{i}": i % 2 == 0 for i in range(20)},
    }
    return {
        "formIdentifier": "reg",
        "langCode": "en_US",
        "formData": {
            "en_US": large_entries(rng, EN_WORDS, 180, True, "en_US"),
            "ru_RU": large_entries(rng, RU_WORDS, 180, False, "ru_RU"),
        },
        "notificationData": {"email": "margaret.hamilton@example.com", "phonePush": ["+15557654321"], "phoneSMS": "+15551234567"},
        "state": state,
    }


def without_text(body: dict) -> dict:
    out = json.loads(json.dumps(body))
    fd = out["formData"]
    for lang in fd:
        fd[lang] = [x for x in fd[lang] if x["type"] not in TEXT_TYPES]
    return out


def dump(body: dict) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def variant(i: int) -> dict:
    """The i-th line of the NDJSON batch file: the three bodies in turn, with distinct names."""
    body = [small, medium, large][i % 3]()
    for entries in body["formData"].values():
        for x in entries:
            if x["marker"] == "first_name":
                x["value"] = f"Margaret{i}"
    return body


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--ndjson":
        out = sys.stdout.buffer
        for i in range(int(sys.argv[2])):
            out.write(dump(variant(i)) + b"\n")
        return
    bodies = {"small": small(), "medium": medium(), "large": large()}
    for name in ("medium", "large"):
        bodies[f"{name}-notext"] = without_text(bodies[name])
    for name, body in bodies.items():
        data = dump(body)
        with open(os.path.join(HERE, f"{name}.json"), "wb") as f:
            f.write(data)
        print(f"{name}.json: {len(data)} bytes")


if __name__ == "__main__":
    main()
