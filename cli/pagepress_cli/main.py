"""pagepress convert | ls | get | rm — reads PAGEPRESS_URL and PAGEPRESS_API_KEY."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pagepress_cli.client import ApiError, Client

FORMATS = ("A3", "A4", "A5", "Letter", "Legal", "Tabloid")
WAIT_SECONDS = 300
_UPLOADS = (".html", ".htm", ".md", ".markdown")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    base, key = os.environ.get("PAGEPRESS_URL", ""), os.environ.get("PAGEPRESS_API_KEY", "")
    if not base or not key:
        return _fail(
            "set PAGEPRESS_URL (e.g. http://127.0.0.1:8000) and PAGEPRESS_API_KEY (a pp_ key from POST /api/v1/keys)"
        )
    try:
        return args.run(Client(base, key), args)
    except ApiError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pagepress", description="Turn web pages, HTML and Markdown into PDFs.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    convert = commands.add_parser("convert", help="convert a URL, or an .html/.md file")
    convert.add_argument("source", metavar="URL|FILE")
    convert.add_argument("-o", "--output", type=Path, help="save the PDF here (waits for it)")
    convert.add_argument("--format", choices=FORMATS, help="paper size (default A4)")
    convert.add_argument("--landscape", action="store_true", help="landscape orientation")
    convert.add_argument("--title", help="the title in your list, instead of the page's own")
    convert.add_argument("--page-ranges", metavar="RANGES", help='pages to keep, e.g. "1-3, 5"')
    convert.add_argument("--single-page", action="store_true", help="the whole page on one tall PDF page")
    convert.add_argument("--prefer-css-page-size", action="store_true", help="the page's @page size wins")
    convert.add_argument("--omit-background", action="store_true", help="transparent background")
    convert.add_argument("--user-agent", metavar="TEXT", help="the User-Agent the site sees")
    convert.add_argument("--color-scheme", choices=("light", "dark"), help="prefers-color-scheme to emulate")
    convert.add_argument("--filename", metavar="NAME", help="the name the PDF downloads as")
    convert.add_argument(
        "--as", dest="output_type", choices=("pdf", "png", "jpeg", "webp"), help="a screenshot instead"
    )
    convert.add_argument("--quality", type=int, metavar="0-100", help="jpeg/webp quality")
    convert.add_argument("--viewport-only", action="store_true", help="screenshot the first screen, not the whole page")
    convert.add_argument("--wait-for-expression", metavar="JS", help="print once this expression is truthy")
    convert.add_argument(
        "--fail-on-console-exceptions", action="store_true", help="fail if the page throws an uncaught exception"
    )
    convert.add_argument(
        "--header",
        dest="headers",
        action="append",
        type=_header,
        metavar="'NAME: VALUE'",
        help="an HTTP header sent only to the page's own origin (repeatable)",
    )
    convert.add_argument(
        "--cookie",
        dest="cookies",
        action="append",
        type=_cookie,
        metavar="NAME=VALUE",
        help="a cookie set for the page's host (repeatable)",
    )
    convert.add_argument("--wait", action="store_true", help="wait until the PDF is ready or failed")
    convert.set_defaults(run=_convert)
    listing = commands.add_parser("ls", help="list your PDFs, newest first")
    listing.set_defaults(run=_list)
    get = commands.add_parser("get", help="download a PDF")
    get.add_argument("name")
    get.add_argument("-o", "--output", type=Path, required=True)
    get.set_defaults(run=_get)
    remove = commands.add_parser("rm", help="delete a PDF")
    remove.add_argument("name")
    remove.set_defaults(run=_remove)
    return parser


#: Flags whose value goes into ``options`` as given (when set), by option name.
_VALUE_FLAGS = ("format", "page_ranges", "user_agent", "filename", "wait_for_expression")
_SWITCHES = ("landscape", "single_page", "prefer_css_page_size", "omit_background", "fail_on_console_exceptions")


def _header(text: str) -> tuple[str, str]:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise argparse.ArgumentTypeError("write a header as 'Name: value'")  # never echo a secret back
    return name.strip(), value.strip()


def _cookie(text: str) -> dict:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError("write a cookie as name=value")  # never echo a secret back
    return {"name": name.strip(), "value": value}


def options_from(args: argparse.Namespace) -> dict:
    """The request's ``options`` from the flags given (the API checks and bounds them)."""
    options: dict = {name: getattr(args, name) for name in _VALUE_FLAGS if getattr(args, name)}
    options.update({name: True for name in _SWITCHES if getattr(args, name)})
    if args.output_type:
        options["output"] = args.output_type
    if args.quality is not None:
        options["quality"] = args.quality
    if args.viewport_only:
        options["full_page"] = False
    if args.color_scheme:
        options["media_features"] = [{"name": "prefers-color-scheme", "value": args.color_scheme}]
    if args.headers:
        options["headers"] = dict(args.headers)
    if args.cookies:
        options["cookies"] = args.cookies
    return options


def _convert(client: Client, args: argparse.Namespace) -> int:
    options = options_from(args)
    source = args.source
    if source.lower().startswith(("http://", "https://")):
        entry = client.convert_url(source, options, args.title)
    elif Path(source).is_file():
        if Path(source).suffix.lower() not in _UPLOADS:
            return _fail(f"{source}: convert a URL or an .html/.md file")
        entry = client.convert_file(Path(source), options, args.title)
    else:
        return _fail(f"{source}: not an http(s) URL nor a file")
    if not (args.wait or args.output):
        print(entry["name"])
        return 0
    entry = _wait(client, entry)
    if entry["status"] == "failed":
        return _fail(f"{entry['name']} failed: {(entry.get('error') or {}).get('message', 'no reason given')}")
    if args.output:
        size = client.download(entry["name"], args.output)
        _progress(f"saved {args.output} ({size} bytes, {entry.get('pages')} pages)", done=True)
    print(entry["name"])
    return 0


def _wait(client: Client, entry: dict) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    spinner = "|/-\\"
    tick = 0
    while entry["status"] not in ("ready", "failed"):
        if time.monotonic() > deadline:
            raise ApiError(f"{entry['name']} was still {entry['status']} after {WAIT_SECONDS} s")
        _progress(f"{spinner[tick % 4]} {entry['name']} {entry['status']}")
        tick += 1
        time.sleep(0.5)
        entry = client.file(entry["name"])
    _progress(f"{entry['name']} {entry['status']}", done=True)
    return entry


def _list(client: Client, args: argparse.Namespace) -> int:
    for entry in client.files():
        size = f"{entry['size']}B" if entry.get("size") is not None else "-"
        label = entry.get("title") or entry.get("url") or entry.get("source", "")
        print(f"{entry['name']}\t{entry['status']}\t{entry.get('pages') or '-'}p\t{size}\t{label}")
    return 0


def _get(client: Client, args: argparse.Namespace) -> int:
    size = client.download(args.name, args.output)
    _progress(f"saved {args.output} ({size} bytes)", done=True)
    return 0


def _remove(client: Client, args: argparse.Namespace) -> int:
    client.delete(args.name)
    return 0


def _progress(text: str, done: bool = False) -> None:
    """Progress goes to a terminal only, on one line; scripts reading stdout see just the results."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{text}" + ("\n" if done else ""))
        sys.stderr.flush()


def _fail(message: str, code: int = 1) -> int:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    print(f"pagepress: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
