"""Deterministic filler for the corpus: sentences, photo-like PNGs and the HTML wrapper."""

from __future__ import annotations

import random
import struct
import zlib

WORDS = (
    "archive browser render layout column margin paragraph server request response quiet "
    "network printer document header footer section figure caption table invoice ledger "
    "harbour river mountain village market lantern window garden orchard engine signal "
    "county bridge station library museum theatre chapter volume index record letter"
).split()

BASE_CSS = (
    "<style>body{font-family:'Liberation Serif',serif;max-width:46em;margin:2em auto;line-height:1.5}"
    "figure{margin:1.5em 0}img{display:block;max-width:100%;height:auto}"
    "figcaption{font-size:.85em;color:#555}</style>"
)

TABLE_CSS = (
    "<style>table{border-collapse:collapse;width:100%;font-family:'Liberation Sans',sans-serif;font-size:11px}"
    "th,td{border:1px solid #bbb;padding:3px 5px}thead th{background:#345;color:#fff}"
    "tbody tr:nth-child(even){background:#eef}td:nth-child(n+5){text-align:right}</style>"
)


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int = 6) -> str:
    return " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


def png(width: int, height: int, seed: int) -> bytes:
    """A distinct, photo-like (noisy, so it does not compress to nothing) RGB PNG."""
    rng = random.Random(seed)
    base = [rng.randint(40, 200) for _ in range(3)]
    noise = rng.randbytes(width * height * 3)
    rows = bytearray()
    i = 0
    for y in range(height):
        rows.append(0)
        shade = y * 60 // height
        for x in range(width):
            gx = x * 50 // width
            rows.append((base[0] + shade + (noise[i] & 31)) & 255)
            rows.append((base[1] + gx + (noise[i + 1] & 31)) & 255)
            rows.append((base[2] + (noise[i + 2] & 31)) & 255)
            i += 3

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + chunk(b"IEND", b"")
    )


def html(title: str, body: str, head: str = "") -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width'><title>{title}</title>{head}</head>"
        f"<body>{body}</body></html>"
    ).encode()


def ledger_rows(rng: random.Random, count: int, first: int = 10000) -> str:
    """``count`` invoice rows of an 8-column table (INV-<first> ... INV-<first + count - 1>)."""
    rows = []
    for r in range(count):
        cells = [
            f"INV-{first + r}",
            f"2024-{r % 12 + 1:02d}-{r % 28 + 1:02d}",
            rng.choice(WORDS).title(),
            rng.choice(WORDS),
            f"{rng.randint(1, 99)}",
            f"{rng.uniform(1, 999):.2f}",
            f"{rng.uniform(1, 9999):.2f}",
            rng.choice(["paid", "open", "overdue"]),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Invoice", "Date", "Customer", "Item", "Qty", "Price", "Total", "State"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
