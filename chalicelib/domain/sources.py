"""HTML and Markdown a user sends instead of a URL: checked, sized, and made into one HTML page.

Markdown is rendered with markdown-it-py (CommonMark, plus tables and strikethrough) into a
page with a plain print stylesheet. Raw HTML inside Markdown is kept: the user may send
HTML anyway, and the converter renders either with the same egress guard.
"""

from __future__ import annotations

import html as html_escape
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from markdown_it import MarkdownIt

from chalicelib.domain.errors import InvalidInput

SOURCE_KINDS = ("url", "html", "markdown")
_UPLOAD_KINDS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}
MAX_TITLE = 200

PRINT_STYLESHEET = """
@page { margin: 2cm; }
html { font: 11pt/1.5 "Noto Serif", Georgia, "DejaVu Serif", serif; color: #111; }
body { max-width: 42em; margin: 0 auto; }
h1, h2, h3, h4 { font-family: "Noto Sans", "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.2;
  break-after: avoid; }
h1 { font-size: 2em; margin: 0 0 .6em; } h2 { font-size: 1.5em; margin: 1.4em 0 .5em; }
h3 { font-size: 1.2em; margin: 1.2em 0 .4em; }
p, ul, ol, pre, table, blockquote { margin: 0 0 .9em; }
a { color: inherit; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
pre { padding: .6em .8em; background: #f4f4f4; border-radius: 3px; white-space: pre-wrap; break-inside: avoid; }
blockquote { margin-left: 0; padding-left: 1em; border-left: 3px solid #ccc; color: #444; }
table { border-collapse: collapse; } th, td { border: 1px solid #bbb; padding: .3em .6em; text-align: left; }
img { max-width: 100%; } hr { border: 0; border-top: 1px solid #ccc; }
"""

_markdown = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@dataclass(frozen=True)
class Source:
    """The page to render, as stored next to its PDF."""

    kind: str  # "html" or "markdown"
    html: str


class SourceTooLarge(InvalidInput):
    code = "html_too_large"


def html_source(raw: Any, max_bytes: int) -> Source:
    """An ``html`` field of a JSON request."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("html must be a non-empty string of HTML.", field="html")
    _check_size(raw, max_bytes, "html")
    return Source("html", raw)


def uploaded_source(filename: str | None, content: bytes, max_bytes: int, title: str | None) -> Source:
    """An uploaded ``.html`` or ``.md`` file."""
    kind = _UPLOAD_KINDS.get(PurePosixPath((filename or "").lower()).suffix)
    if kind is None:
        raise InvalidInput("Upload an .html or .md file.", "unsupported_file_type", field="file")
    if len(content) > max_bytes:
        raise SourceTooLarge(f"The file is larger than {max_bytes} bytes.", field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file must be UTF-8 text.", "invalid_encoding", field="file") from None
    if not text.strip():
        raise InvalidInput("The file is empty.", field="file")
    if kind == "markdown":
        return Source("markdown", markdown_page(text, title or PurePosixPath(filename or "").stem))
    return Source("html", text)


def parse_title(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_TITLE:
        raise InvalidInput(f"title must be 1 to {MAX_TITLE} characters.", field="title")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in raw):
        raise InvalidInput("title must not contain control characters.", field="title")
    return " ".join(raw.split())


def markdown_page(text: str, title: str) -> str:
    """Markdown as a complete HTML page with the print stylesheet."""
    body = _markdown.render(text)
    return (
        f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{html_escape.escape(title)}</title>'
        f"<style>{PRINT_STYLESHEET}</style></head>\n<body>\n{body}</body></html>\n"
    )


def _check_size(text: str, max_bytes: int, field: str) -> None:
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise SourceTooLarge(f"The {field} is larger than {max_bytes} bytes.", field=field)
