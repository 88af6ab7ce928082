#!/usr/bin/env python3
"""PagePress conversion benchmark: PlaywrightRenderer against bare Playwright + Chromium.

Run with ``make bench`` (``.venv/bin/python bench/conversion_bench.py``). Everything stays
on 127.0.0.1: the script generates a small corpus of realistic pages, serves it from a
loopback HTTP server in a child process, and converts every page with

* **baseline** - bare Playwright (async API) driving the same Chromium with the same flags:
  launched once; per page ``new_context`` / ``new_page`` / ``goto(wait_until="load")`` /
  ``page.pdf`` / close. Same viewport and PDF options as PagePress (A4, 1 cm margins,
  backgrounds), nothing else.
* **pagepress** - ``converter.renderer.PlaywrightRenderer`` with an ``EgressPolicy`` that
  allows the server's port, default timeouts and concurrency (2), warm (launched once).
* **baseline+guard** (latency only, an ablation) - the baseline plus PagePress's
  ``EgressGuard`` (the per-job pinning proxy and Playwright routing), without readiness
  waits or the pypdf rewrite: isolates what the egress hop costs.

Measured, interleaving the systems so drift hits both alike: warm per-page latency
(median, p90), batch throughput at concurrency 2 (two caller threads each), cold start
(first render including Playwright driver + browser launch), and per page the PDF's size,
page count, images, fonts and text, to show what each system actually captured.

Writes bench/results.md and bench/results.json (``--out`` to change) and prints a table.
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime
import glob
import io
import json
import logging
import multiprocessing
import os
import platform
import random
import shlex
import statistics
import struct
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from chalicelib.domain.models import ConversionOptions  # noqa: E402
from chalicelib.egress import EgressPolicy  # noqa: E402
from converter.egress_guard import EgressGuard  # noqa: E402
from converter.browser import CHROMIUM_ARGS  # noqa: E402
from converter.pdf_metadata import stamp_metadata  # noqa: E402
CONFIRM_QUIET_SECONDS, NETWORK_QUIET_SECONDS = 0.0, 0.0  # the fixed windows are gone (bench is being reworked)
from converter.renderer import PlaywrightRenderer  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: The flags PagePress launches with; the baseline uses exactly these. PagePress adds
#: EgressGuard.LAUNCH_ARGS (proxy/QUIC/resolver rules).
CHROMIUM_FLAGS = list(CHROMIUM_ARGS)
VIEWPORT = {"width": 1280, "height": 900}  # PagePress's context viewport
#: page.pdf arguments equal to what PagePress derives from ConversionOptions() defaults.
PDF_ARGS: dict[str, Any] = {
    "format": "A4",
    "margin": {"top": "1cm", "right": "1cm", "bottom": "1cm", "left": "1cm"},
    "print_background": True,
}
MIN_IMAGE_SIDE = 64  # the corpus's pictures are 320x214
API_DELAY_SECONDS = 0.3  # the "backend" behind the JS page's fetch
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
]

log = logging.getLogger("bench")


# ----------------------------------------------------------------------------------------
# The corpus
# ----------------------------------------------------------------------------------------

WORDS = (
    "archive browser render layout column margin paragraph server request response quiet "
    "network printer document header footer section figure caption table invoice ledger "
    "harbour river mountain village market lantern window garden orchard engine signal "
    "county bridge station library museum theatre chapter volume index record letter"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int = 6) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


def _png(width: int, height: int, seed: int) -> bytes:
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
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")


def _html(title: str, body: str, head: str = "") -> bytes:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width'><title>{title}</title>{head}</head>"
        f"<body>{body}</body></html>"
    ).encode()


BASE_CSS = (
    "<style>body{font-family:'Liberation Serif',serif;max-width:46em;margin:2em auto;line-height:1.5}"
    "figure{margin:1.5em 0}img{display:block;max-width:100%;height:auto}"
    "figcaption{font-size:.85em;color:#555}</style>"
)


def build_corpus() -> tuple[dict[str, tuple[str, bytes, float]], list[dict]]:
    """(routes: path -> (content type, body, delay seconds), pages: what to convert and check)."""
    rng = random.Random(20240601)
    routes: dict[str, tuple[str, bytes, float]] = {}
    pages: list[dict] = []

    # 1. A short text page.
    routes["/short.html"] = ("text/html", _html(
        "Short note",
        BASE_CSS + "<h1>Service notice</h1>" + "".join(f"<p>{_paragraph(rng, 3)}</p>" for _ in range(3))
        + "<p>END-OF-SHORT</p>",
    ), 0.0)
    pages.append({"name": "short", "path": "/short.html", "what": "a few paragraphs of text",
                  "markers": ["END-OF-SHORT"], "images": 0})

    # 2. A long article (several printed pages).
    sections = []
    for s in range(14):
        sections.append(f"<h2>Part {s + 1}: {_sentence(rng, 4)[:-1]}</h2>")
        sections.extend(f"<p>{_paragraph(rng)}</p>" for _ in range(5))
        if s % 4 == 1:
            sections.append(f"<blockquote>{_sentence(rng, 20)}</blockquote>")
        if s % 4 == 3:
            sections.append("<ul>" + "".join(f"<li>{_sentence(rng, 9)}</li>" for _ in range(5)) + "</ul>")
    routes["/article.html"] = ("text/html", _html(
        "A long article", BASE_CSS + "<h1>The long read</h1>" + "".join(sections) + "<p>END-OF-ARTICLE</p>"
    ), 0.0)
    pages.append({"name": "article", "path": "/article.html", "what": "long article, 14 sections",
                  "markers": ["END-OF-ARTICLE"], "images": 0})

    # 3. Images: 4 eager at the top, 8 native loading=lazy far below the fold, and
    #    2 script-lazy ones (data-src + IntersectionObserver) at the very bottom.
    for n in range(14):
        routes[f"/img/photo-{n}.png"] = ("image/png", _png(320, 214, seed=n), 0.0)
    body = ["<h1>Photo essay</h1>", f"<p>{_paragraph(rng)}</p>"]
    for n in range(4):
        body.append(f"<figure><img src='/img/photo-{n}.png' width=320 height=214 alt='photo {n}'>"
                    f"<figcaption>Eager photo {n}</figcaption></figure>")
    for n in range(4, 12):
        body.extend(f"<p>{_paragraph(rng)}</p>" for _ in range(5))
        body.append(f"<figure><img loading=lazy src='/img/photo-{n}.png' width=320 height=214 alt='photo {n}'>"
                    f"<figcaption>Lazy photo {n}</figcaption></figure>")
    for n in range(12, 14):
        body.extend(f"<p>{_paragraph(rng)}</p>" for _ in range(3))
        body.append(f"<figure><img class=js-lazy data-src='/img/photo-{n}.png' width=320 height=214 "
                    f"alt='photo {n}'><figcaption>Script-lazy photo {n}</figcaption></figure>")
    body.append("<p>END-OF-PHOTOS</p>")
    body.append("""<script>
const io = new IntersectionObserver(entries => entries.forEach(e => {
  if (e.isIntersecting) { e.target.src = e.target.dataset.src; io.unobserve(e.target); }
}), {rootMargin: '200px'});
document.querySelectorAll('img.js-lazy').forEach(img => io.observe(img));
</script>""")
    routes["/images.html"] = ("text/html", _html("Photo essay", BASE_CSS + "".join(body)), 0.0)
    pages.append({"name": "images", "path": "/images.html",
                  "what": "14 images: 4 eager, 8 loading=lazy, 2 IntersectionObserver",
                  "markers": ["END-OF-PHOTOS"], "images": 14})

    # 4. A web font and an external stylesheet.
    font_path = next((p for p in FONT_CANDIDATES if os.path.exists(p)), None) or sorted(
        glob.glob("/usr/share/fonts/**/*.ttf", recursive=True))[0]
    font_name = Path(font_path).stem.split("-")[0]
    routes["/assets/brand.ttf"] = ("font/ttf", Path(font_path).read_bytes(), 0.0)
    routes["/assets/site.css"] = ("text/css", (
        "@font-face{font-family:'BenchBrand';src:url('/assets/brand.ttf') format('truetype');font-display:swap}"
        "body{font-family:'BenchBrand',sans-serif;max-width:44em;margin:2em auto;color:#222;line-height:1.6}"
        "h1,h2{letter-spacing:.02em;border-bottom:2px solid #c33;padding-bottom:.2em}"
        ".card{background:#f4f1ea;border-radius:8px;padding:1em 1.5em;margin:1em 0;box-shadow:0 1px 3px #0003}"
        ".grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}"
    ).encode(), 0.0)
    cards = "".join(f"<div class=card><h2>{_sentence(rng, 3)[:-1]}</h2><p>{_paragraph(rng, 4)}</p></div>"
                    for _ in range(6))
    routes["/fonts.html"] = ("text/html", _html(
        "Branded page", "<h1>Brand font and CSS</h1><div class=grid>" + cards + "</div><p>END-OF-FONTS</p>",
        head="<link rel=stylesheet href='/assets/site.css'>",
    ), 0.0)
    pages.append({"name": "webfont", "path": "/fonts.html", "what": f"@font-face ({font_name}) + external CSS",
                  "markers": ["END-OF-FONTS"], "images": 0, "font": font_name})

    # 5. Content fetched by script after load, from a slowish API.
    stories = [{"title": f"FETCHED-STORY-{i}", "text": _paragraph(rng, 2)} for i in range(1, 13)]
    routes["/api/stories.json"] = ("application/json", json.dumps(stories).encode(), API_DELAY_SECONDS)
    routes["/app.html"] = ("text/html", _html(
        "Dynamic page", BASE_CSS + "<h1>Latest stories</h1><div id=feed><p>Loading...</p></div>"
        + """<script>
window.addEventListener('load', () => {
  fetch('/api/stories.json').then(r => r.json()).then(items => {
    document.getElementById('feed').innerHTML = items.map(s =>
      `<article><h2>${s.title}</h2><p>${s.text}</p></article>`).join('');
  });
});
</script>"""), 0.0)
    pages.append({"name": "js-fetch", "path": "/app.html",
                  "what": f"fetch() after load, API answers in {API_DELAY_SECONDS * 1000:.0f} ms",
                  "markers": ["FETCHED-STORY-1", "FETCHED-STORY-12"], "images": 0})

    # 6. A table-heavy page.
    rows = []
    for r in range(260):
        cells = [f"INV-{10000 + r}", f"2024-{r % 12 + 1:02d}-{r % 28 + 1:02d}", rng.choice(WORDS).title(),
                 rng.choice(WORDS), f"{rng.randint(1, 99)}", f"{rng.uniform(1, 999):.2f}",
                 f"{rng.uniform(1, 9999):.2f}", rng.choice(["paid", "open", "overdue"])]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    routes["/table.html"] = ("text/html", _html(
        "Ledger", "<style>body{font-family:'Liberation Sans',sans-serif;font-size:11px}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:3px 5px}"
        "thead th{background:#345;color:#fff}tbody tr:nth-child(even){background:#eef}"
        "td:nth-child(n+5){text-align:right}</style><h1>Ledger 2024</h1><table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in ("Invoice", "Date", "Customer", "Item", "Qty", "Price", "Total", "State"))
        + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table><p>END-OF-TABLE</p>"), 0.0)
    pages.append({"name": "table", "path": "/table.html", "what": "260-row, 8-column table",
                  "markers": ["END-OF-TABLE", "INV-10259"], "images": 0})
    return routes, pages


# ----------------------------------------------------------------------------------------
# The loopback page server (a child process, so its threads do not share our GIL)
# ----------------------------------------------------------------------------------------

def _serve(routes: dict, port_queue) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            if path.startswith("http://"):  # absolute form (through a proxy)
                path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
            entry = routes.get(path)
            if entry is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            ctype, body, delay = entry
            if delay:
                time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

        def handle_error(self, request, client_address) -> None:
            if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                super().handle_error(request, client_address)  # a client hanging up is not news

    httpd = Server(("127.0.0.1", 0), Handler)
    port_queue.put(httpd.server_address[1])
    httpd.serve_forever()


def start_server(routes: dict) -> tuple[multiprocessing.Process, int]:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_serve, args=(routes, queue), daemon=True)
    proc.start()
    return proc, queue.get(timeout=10)


# ----------------------------------------------------------------------------------------
# The systems under test
# ----------------------------------------------------------------------------------------

class Baseline:
    """Bare Playwright on its own event-loop thread; ``render`` is sync and thread-safe."""

    def __init__(self, policy: Optional[EgressPolicy] = None) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="baseline", daemon=True)
        self._thread.start()
        self._policy = policy
        self._pw = None
        self._browser = None

    def _run(self, coro, timeout: float = 120.0):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> None:
        self._run(self._start())

    async def _start(self) -> None:
        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

    def render(self, url: str, guard: bool = False) -> tuple[bytes, dict]:
        return self._run(self._render_guarded(url) if guard else self._render(url, {}))

    async def _render(self, url: str, context_options: dict, attach: Optional[Callable] = None) -> tuple[bytes, dict]:
        timings = {}
        context = await self._browser.new_context(viewport=VIEWPORT, **context_options)
        try:
            if attach is not None:
                await attach(context)
            page = await context.new_page()
            mark = time.perf_counter()
            await page.goto(url, wait_until="load")
            timings["navigate_ms"] = (time.perf_counter() - mark) * 1000
            mark = time.perf_counter()
            pdf = await page.pdf(**PDF_ARGS)
            timings["print_ms"] = (time.perf_counter() - mark) * 1000
        finally:
            await context.close()
        return pdf, timings

    async def _render_guarded(self, url: str) -> tuple[bytes, dict]:
        async with EgressGuard(self._policy) as guard:
            return await self._render(url, guard.context_options, guard.attach)

    def close(self) -> None:
        async def shut():
            if self._browser is not None:
                await self._browser.close()
            if self._pw is not None:
                await self._pw.stop()
        try:
            self._run(shut(), 30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


class PagePress:
    def __init__(self, port: int) -> None:
        self.renderer = PlaywrightRenderer(EgressPolicy(allow=f"127.0.0.1:{port}"), chromium_path=CHROMIUM)
        self._counter = 0
        self._lock = threading.Lock()

    def render(self, url: str, correlation_id: Optional[str] = None):
        with self._lock:
            self._counter += 1
            cid = correlation_id or f"bench-{self._counter}"
        return self.renderer.render(url, ConversionOptions(), cid)

    def close(self) -> None:
        self.renderer.close()


class RendererTimings(logging.Handler):
    """Collects the renderer's own per-phase timings ("Page rendered" log records)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.by_correlation: dict[str, dict] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "Page rendered":
            self.by_correlation[getattr(record, "correlation_id", "")] = {
                k: getattr(record, k) for k in ("navigate_ms", "settle_ms", "print_ms") if hasattr(record, k)
            }


# ----------------------------------------------------------------------------------------
# PDF inspection
# ----------------------------------------------------------------------------------------

def inspect_pdf(content: bytes) -> dict:
    reader = PdfReader(io.BytesIO(content))
    images: set = set()
    icons: set = set()
    fonts: set[str] = set()
    text = []
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") != "/Image":
                continue
            key = getattr(ref, "idnum", id(obj))
            # Chromium draws a 14x16 "broken image" icon for an <img> that never loaded:
            # count only picture-sized images, each object once.
            (images if min(obj.get("/Width", 0), obj.get("/Height", 0)) >= MIN_IMAGE_SIDE else icons).add(key)
        for ref in (resources.get("/Font") or {}).values():
            name = str(ref.get_object().get("/BaseFont", "")).lstrip("/").split("+")[-1]
            if name:
                fonts.add(name)
        text.append(page.extract_text() or "")
    return {"bytes": len(content), "pages": len(reader.pages), "images": len(images),
            "broken_image_icons": len(icons), "fonts": sorted(fonts), "text": " ".join(" ".join(text).split())}


# ----------------------------------------------------------------------------------------
# Statistics and formatting
# ----------------------------------------------------------------------------------------

def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def p90(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered) + 0.5) - 1))]


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in cells])


def machine_facts() -> dict:
    def run(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception as exc:  # a missing tool should not sink the benchmark
            return f"unknown ({exc})"
    import importlib.metadata

    import pypdf
    cpu = "unknown"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except Exception:
        pass
    mem = "unknown"
    try:
        kb = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except Exception:
        pass
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "nproc": os.cpu_count(),
        "nproc_available": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "chromium": run([CHROMIUM, "--version"]),
        "playwright": importlib.metadata.version("playwright"),
        "pypdf": pypdf.__version__,
        "git_commit": run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "loadavg_at_start": [round(v, 2) for v in os.getloadavg()],
    }


# ----------------------------------------------------------------------------------------
# The benchmark
# ----------------------------------------------------------------------------------------

def timed(fn: Callable, *args, **kwargs) -> tuple[float, Any]:
    mark = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - mark) * 1000, result


def measure_cold(base: str, port: int, reps: int) -> dict:
    """Fresh driver + browser + first render of the short page, alternating who goes first."""
    url = base + "/short.html"
    results: dict[str, list[float]] = {"baseline": [], "pagepress": []}
    for rep in range(reps):
        order = ["baseline", "pagepress"] if rep % 2 == 0 else ["pagepress", "baseline"]
        for system in order:
            if system == "baseline":
                b = Baseline()
                mark = time.perf_counter()
                b.start()
                b.render(url)
                results[system].append((time.perf_counter() - mark) * 1000)
                b.close()
            else:
                mark = time.perf_counter()
                p = PagePress(port)
                p.render(url)
                results[system].append((time.perf_counter() - mark) * 1000)
                p.close()
            print(f"  cold {system:<9} rep {rep + 1}: {results[system][-1]:7.0f} ms", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="warm latency repetitions per page and system")
    parser.add_argument("--batch", type=int, default=10, help="pages per throughput batch")
    parser.add_argument("--batch-rounds", type=int, default=2, help="throughput batches per system")
    parser.add_argument("--cold-reps", type=int, default=2, help="cold starts per system")
    parser.add_argument("--guard-reps", type=int, default=3,
                        help="repetitions of the baseline+guard ablation (0 to skip)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="where results.md/json go")
    args = parser.parse_args()
    command = ".venv/bin/python bench/conversion_bench.py" + "".join(
        f" {shlex.quote(a)}" for a in sys.argv[1:])

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    timings_log = RendererTimings()
    renderer_logger = logging.getLogger("pagepress-converter.converter.renderer")
    renderer_logger.addHandler(timings_log)
    renderer_logger.setLevel(logging.INFO)
    renderer_logger.propagate = False  # keep INFO lines off the console
    # "Object count N exceeds defined trailer size M": pypdf on Chromium's PDFs, harmless.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    started = time.perf_counter()
    facts = machine_facts()
    print(f"PagePress conversion benchmark  {facts['date_utc']}  nproc={facts['nproc']}  {facts['chromium']}")
    routes, pages = build_corpus()
    server, port = start_server(routes)
    base = f"http://127.0.0.1:{port}"
    print(f"corpus of {len(pages)} pages served on {base}")

    results: dict[str, Any] = {"facts": facts, "command": command, "args": vars(args),
                               "pages": [{k: v for k, v in p.items() if k != "markers"} for p in pages]}
    baseline = pagepress = None
    try:
        # --- cold start ------------------------------------------------------------------
        print("cold start (driver + browser launch + first render of 'short'):")
        cold = measure_cold(base, port, args.cold_reps)
        results["cold_ms"] = cold

        # --- warm instances: launched, then one discarded render each -------------------
        baseline = Baseline(EgressPolicy(allow=f"127.0.0.1:{port}"))
        baseline.start()
        pagepress = PagePress(port)
        for system in (baseline.render, pagepress.render, lambda u: baseline.render(u, guard=True)):
            system(base + pages[0]["path"])

        # --- warm latency, interleaved -------------------------------------------------
        print(f"warm latency: {len(pages)} pages x {args.reps} reps, systems interleaved")
        latency: dict[str, dict[str, list[float]]] = {p["name"]: {"baseline": [], "pagepress": [], "guard": []}
                                                      for p in pages}
        phases: dict[str, dict[str, list[float]]] = {p["name"]: {} for p in pages}
        last_pdf: dict[str, dict[str, bytes]] = {p["name"]: {} for p in pages}
        for rep in range(args.reps):
            for i, p in enumerate(pages):
                url = base + p["path"]
                systems = ["baseline", "pagepress"] + (["guard"] if rep < args.guard_reps else [])
                if (rep + i) % 2:
                    systems.reverse()
                for system in systems:
                    if system == "pagepress":
                        cid = f"lat-{rep}-{p['name']}"
                        ms, out = timed(pagepress.render, url, cid)
                        last_pdf[p["name"]][system] = out.content
                        for k, v in timings_log.by_correlation.get(cid, {}).items():
                            phases[p["name"]].setdefault(f"pagepress_{k}", []).append(v)
                    else:
                        ms, (pdf, t) = timed(baseline.render, url, guard=(system == "guard"))
                        last_pdf[p["name"]][system] = pdf
                        for k, v in t.items():
                            phases[p["name"]].setdefault(f"{system}_{k}", []).append(v)
                    latency[p["name"]][system].append(ms)
            print(f"  rep {rep + 1}/{args.reps} done ({time.perf_counter() - started:.0f} s elapsed)", flush=True)
        results["latency_ms"] = latency
        results["phases_ms"] = phases

        # --- pypdf rewrite cost, measured alone on the baseline's PDFs --------------------
        pypdf_ms = {}
        for p in pages:
            raw = last_pdf[p["name"]]["baseline"]
            pypdf_ms[p["name"]] = median([timed(stamp_metadata, raw, "Title", base + p["path"])[0] for _ in range(3)])
        results["pypdf_rewrite_ms"] = pypdf_ms

        # --- throughput: a batch from two caller threads --------------------------------
        batch = [base + pages[i % len(pages)]["path"] for i in range(args.batch)]
        print(f"throughput: {len(batch)} pages, 2 caller threads, {args.batch_rounds} rounds per system")
        throughput: dict[str, list[float]] = {"baseline": [], "pagepress": []}
        for rnd in range(args.batch_rounds):
            for system in (["baseline", "pagepress"] if rnd % 2 == 0 else ["pagepress", "baseline"]):
                fn = baseline.render if system == "baseline" else pagepress.render
                mark = time.perf_counter()
                with concurrent.futures.ThreadPoolExecutor(2) as pool:
                    list(pool.map(fn, batch))
                wall = (time.perf_counter() - mark) * 1000
                throughput[system].append(wall)
                print(f"  {system:<9} round {rnd + 1}: {wall:7.0f} ms  ({len(batch) / wall * 1000:.2f} pages/s)",
                      flush=True)
        results["throughput_wall_ms"] = throughput
        results["batch_size"] = len(batch)

        # --- completeness ---------------------------------------------------------------
        completeness = {}
        for p in pages:
            per = {s: inspect_pdf(c) for s, c in last_pdf[p["name"]].items()}
            b, pp = per["baseline"], per["pagepress"]
            bw, pw = b["text"].split(), pp["text"].split()
            entry = {
                s: {k: v for k, v in info.items() if k != "text"} | {
                    "markers_found": [m for m in p["markers"] if m in info["text"]],
                    "words": len(info["text"].split()),
                } for s, info in per.items()
            }
            entry["text_identical"] = b["text"] == pp["text"]
            entry["word_count_difference_pagepress_minus_baseline"] = len(pw) - len(bw)
            entry["expected_images"] = p["images"]
            entry["markers"] = p["markers"]
            completeness[p["name"]] = entry
        results["completeness"] = completeness
    finally:
        for system in (baseline, pagepress):
            if system is not None:
                try:
                    system.close()
                except Exception as exc:
                    log.warning("closing %s failed: %s", system, exc)
        server.terminate()
        server.join(5)
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    facts["loadavg_at_end"] = [round(v, 2) for v in os.getloadavg()]

    report = render_report(results, pages)
    print()
    print(report["console"])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(report["markdown"])
    (out / "results.json").write_text(json.dumps(report["json"], indent=2, sort_keys=False) + "\n")
    print(f"\nwrote {out / 'results.md'} and {out / 'results.json'} ({results['wall_seconds']} s)")
    return 0


# ----------------------------------------------------------------------------------------
# The report
# ----------------------------------------------------------------------------------------

def render_report(results: dict, pages: list[dict]) -> dict:
    f0 = lambda v: f"{v:.0f}"  # noqa: E731
    f2 = lambda v: f"{v:.2f}"  # noqa: E731
    names = [p["name"] for p in pages]
    lat = results["latency_ms"]
    ph = results["phases_ms"]
    guard_on = any(lat[n]["guard"] for n in names)

    # Latency per page. "best" = the fastest repetition: the least disturbed by other load.
    lat_rows, summary = [], {}
    for n in names:
        b, p, g = lat[n]["baseline"], lat[n]["pagepress"], lat[n]["guard"]
        row = [n, f0(median(b)), f0(p90(b)), f0(min(b)), f0(median(p)), f0(p90(p)), f0(min(p)),
               f2(ratio(median(p), median(b))), f2(ratio(min(p), min(b)))]
        if guard_on:
            row += [f0(min(g)), f2(ratio(min(g), min(b)))]
        lat_rows.append(row)
        summary[n] = {"baseline_median_ms": round(median(b), 1), "baseline_p90_ms": round(p90(b), 1),
                      "baseline_best_ms": round(min(b), 1),
                      "pagepress_median_ms": round(median(p), 1), "pagepress_p90_ms": round(p90(p), 1),
                      "pagepress_best_ms": round(min(p), 1),
                      "ratio_median": round(ratio(median(p), median(b)), 2),
                      "ratio_p90": round(ratio(p90(p), p90(b)), 2),
                      "ratio_best": round(ratio(min(p), min(b)), 2)}
        if guard_on:
            summary[n]["baseline_guard_best_ms"] = round(min(g), 1)
            summary[n]["baseline_guard_median_ms"] = round(median(g), 1)
    all_b = [v for n in names for v in lat[n]["baseline"]]
    all_p = [v for n in names for v in lat[n]["pagepress"]]
    best_b = sum(min(lat[n]["baseline"]) for n in names)
    best_p = sum(min(lat[n]["pagepress"]) for n in names)
    overall = {"baseline_median_ms": round(median(all_b), 1), "baseline_p90_ms": round(p90(all_b), 1),
               "pagepress_median_ms": round(median(all_p), 1), "pagepress_p90_ms": round(p90(all_p), 1),
               "ratio_median": round(ratio(median(all_p), median(all_b)), 2),
               "ratio_p90": round(ratio(p90(all_p), p90(all_b)), 2),
               "baseline_corpus_best_ms": round(best_b), "pagepress_corpus_best_ms": round(best_p),
               "ratio_corpus_best": round(ratio(best_p, best_b), 2)}
    row = ["ALL pages", f0(median(all_b)), f0(p90(all_b)), f"(sum {f0(best_b)})", f0(median(all_p)),
           f0(p90(all_p)), f"(sum {f0(best_p)})", f2(overall["ratio_median"]), f2(overall["ratio_corpus_best"])]
    if guard_on:
        best_g = sum(min(lat[n]["guard"]) for n in names)
        overall["baseline_guard_corpus_best_ms"] = round(best_g)
        row += [f"(sum {f0(best_g)})", f2(ratio(best_g, best_b))]
    lat_rows.append(row)
    lat_headers = ["page", "baseline med", "p90", "best", "PagePress med", "p90", "best",
                   "ratio (med)", "ratio (best)"]
    if guard_on:
        lat_headers += ["baseline+guard best", "guard ratio (best)"]

    # Throughput.
    tp = results["throughput_wall_ms"]
    n_batch = results["batch_size"]
    tb, tpp = median(tp["baseline"]), median(tp["pagepress"])
    throughput = {"batch_pages": n_batch, "concurrency": 2,
                  "baseline_wall_ms": round(tb), "pagepress_wall_ms": round(tpp),
                  "baseline_pages_per_s": round(n_batch / tb * 1000, 2),
                  "pagepress_pages_per_s": round(n_batch / tpp * 1000, 2),
                  "ratio_wall": round(ratio(tpp, tb), 2),
                  "ratio_pages_per_s": round(ratio(tb, tpp), 2)}

    # Cold start.
    cb, cp = results["cold_ms"]["baseline"], results["cold_ms"]["pagepress"]
    cold = {"baseline_median_ms": round(median(cb)), "pagepress_median_ms": round(median(cp)),
            "baseline_minus_warm_short_ms": round(median(cb) - median(lat["short"]["baseline"])),
            "pagepress_minus_warm_short_ms": round(median(cp) - median(lat["short"]["pagepress"])),
            "baseline_runs_ms": [round(v) for v in cb], "pagepress_runs_ms": [round(v) for v in cp],
            "ratio": round(ratio(median(cp), median(cb)), 2)}

    # Where PagePress's time goes (medians per page).
    break_rows, breakdown = [], {}
    for n in names:
        total_p, total_b = median(lat[n]["pagepress"]), median(lat[n]["baseline"])
        nav_p = median(ph[n].get("pagepress_navigate_ms", []))
        settle = median(ph[n].get("pagepress_settle_ms", []))
        prn_p = median(ph[n].get("pagepress_print_ms", []))
        nav_b = median(ph[n].get("baseline_navigate_ms", []))
        prn_b = median(ph[n].get("baseline_print_ms", []))
        pyp = results["pypdf_rewrite_ms"][n]
        rest = total_p - nav_p - settle - prn_p - pyp
        rest_b = total_b - nav_b - prn_b
        breakdown[n] = {"pagepress_total_ms": round(total_p), "baseline_total_ms": round(total_b),
                        "navigate_ms": [round(nav_b), round(nav_p)], "settle_ms": round(settle),
                        "print_ms": [round(prn_b), round(prn_p)], "pypdf_rewrite_ms": round(pyp),
                        "context_and_other_ms": [round(rest_b), round(rest)]}
        break_rows.append([n, f0(total_b), f0(total_p), f"{f0(nav_b)} / {f0(nav_p)}", f0(settle),
                           f"{f0(prn_b)} / {f0(prn_p)}", f0(pyp), f"{f0(rest_b)} / {f0(rest)}"])
    break_headers = ["page", "baseline total", "PagePress total", "load (B / P)", "settle (P)",
                     "page.pdf (B / P)", "pypdf rewrite (P)", "context+other (B / P)"]

    # Completeness.
    comp = results["completeness"]
    comp_rows, flags = [], []
    for n in names:
        c = comp[n]
        b, p = c["baseline"], c["pagepress"]
        comp_rows.append([
            n, f"{b['bytes'] / 1024:.0f} / {p['bytes'] / 1024:.0f}", f"{b['pages']} / {p['pages']}",
            f"{b['images']} / {p['images']} (of {c['expected_images']})"
            + (f", icons {b['broken_image_icons']} / {p['broken_image_icons']}"
               if b["broken_image_icons"] or p["broken_image_icons"] else ""),
            f"{len(b['markers_found'])} / {len(p['markers_found'])} (of {len(c['markers'])})",
            f"{b['words']} / {p['words']}", "yes" if c["text_identical"] else "NO",
            ", ".join(b["fonts"]) if b["fonts"] == p["fonts"] else f"B: {', '.join(b['fonts'])}; P: {', '.join(p['fonts'])}",
        ])
        for label, info in (("baseline", b), ("PagePress", p)):
            if info["images"] < c["expected_images"]:
                note = ""
                if n == "images" and info["images"] >= 12:
                    note = (" All 4 eager and all 8 native `loading=lazy` pictures are there (Chromium loads "
                            "native lazy images for printing by itself); the missing ones are the "
                            "IntersectionObserver-driven images, which load only when scrolled into view.")
                flags.append(f"**{n}**: {label} PDF has {info['images']} of {c['expected_images']} pictures"
                             f" and {info['broken_image_icons']} broken-image icon(s) instead.{note}")
        missing_b = [m for m in c["markers"] if m not in b["markers_found"]]
        missing_p = [m for m in c["markers"] if m not in p["markers_found"]]
        if missing_b:
            flags.append(f"**{n}**: baseline PDF lacks {', '.join(missing_b)} (content arrives after `load`); "
                         f"its text has {b['words']} words vs PagePress's {p['words']}.")
        if missing_p:
            flags.append(f"**{n}**: PagePress PDF lacks {', '.join(missing_p)}.")
        if not c["text_identical"] and not missing_b and not missing_p:
            flags.append(f"**{n}**: extracted text differs ({b['words']} vs {p['words']} words"
                         + ("; a broken image shows its alt text" if b["broken_image_icons"] or
                            p["broken_image_icons"] else "") + ").")
        expected_font = next((pg.get("font") for pg in pages if pg["name"] == n), None)
        if expected_font:
            for label, info in (("baseline", b), ("PagePress", p)):
                if not any(expected_font in f for f in info["fonts"]):
                    flags.append(f"**{n}**: {label} PDF does not embed the web font {expected_font} "
                                 f"(fonts: {', '.join(info['fonts'])}).")
    if not flags:
        flags.append("Both systems captured the same text, images and fonts on every page.")
    comp_headers = ["page", "KiB (B / P)", "PDF pages (B / P)", "images (B / P)", "markers (B / P)",
                    "words (B / P)", "same text", "fonts"]

    ratios = {
        "warm_latency_median": overall["ratio_median"],
        "warm_latency_p90": overall["ratio_p90"],
        "warm_latency_best_of_n_corpus": overall["ratio_corpus_best"],
        "throughput_wall_time": throughput["ratio_wall"],
        "throughput_pages_per_s": throughput["ratio_pages_per_s"],
        "cold_start": cold["ratio"],
    }
    ratio_rows = [
        ["warm latency, median over all pages", f"{overall['baseline_median_ms']:.0f} ms",
         f"{overall['pagepress_median_ms']:.0f} ms", f2(ratios["warm_latency_median"])],
        ["warm latency, p90 over all pages", f"{overall['baseline_p90_ms']:.0f} ms",
         f"{overall['pagepress_p90_ms']:.0f} ms", f2(ratios["warm_latency_p90"])],
        ["warm latency, corpus (sum of per-page best)", f"{best_b:.0f} ms", f"{best_p:.0f} ms",
         f2(ratios["warm_latency_best_of_n_corpus"])],
        [f"batch of {n_batch}, concurrency 2 (wall)", f"{tb:.0f} ms", f"{tpp:.0f} ms", f2(ratios["throughput_wall_time"])],
        ["  = throughput", f"{throughput['baseline_pages_per_s']:.2f} pages/s",
         f"{throughput['pagepress_pages_per_s']:.2f} pages/s", f2(ratio(throughput["pagepress_pages_per_s"],
                                                                      throughput["baseline_pages_per_s"]))],
        ["cold start (launch + first page)", f"{cold['baseline_median_ms']} ms", f"{cold['pagepress_median_ms']} ms",
         f2(ratios["cold_start"])],
    ]
    ratio_headers = ["metric", "baseline", "PagePress", "PagePress / baseline"]

    # Overhead explanation, with this run's numbers.
    settle_all = [v for n in names for v in ph[n].get("pagepress_settle_ms", [])]
    nav_delta = [median(ph[n].get("pagepress_navigate_ms", [])) - median(ph[n].get("baseline_navigate_ms", []))
                 for n in names]
    pyp_all = list(results["pypdf_rewrite_ms"].values())
    guard_delta = [min(lat[n]["guard"]) - min(lat[n]["baseline"]) for n in names] if guard_on else []
    guard_nav = [median(ph[n].get("guard_navigate_ms", [])) - median(ph[n].get("baseline_navigate_ms", []))
                 for n in names] if guard_on else []
    js = breakdown.get("js-fetch", {})
    overhead = [
        f"- **Readiness waits (settle)**: median {median(settle_all):.0f} ms per page "
        f"(range {min(settle_all):.0f}-{max(settle_all):.0f} ms). `converter/readiness.settle` waits for "
        f"{NETWORK_QUIET_SECONDS * 1000:.0f} ms of network quiet after `load`, runs fonts/scroll/images, then "
        f"confirms the quiet: {CONFIRM_QUIET_SECONDS * 1000:.0f} ms when those steps started no request, the full "
        f"{NETWORK_QUIET_SECONDS * 1000:.0f} ms otherwise. So every page, even a static one, pays at least "
        f"{(NETWORK_QUIET_SECONDS + CONFIRM_QUIET_SECONDS) * 1000:.0f} ms, plus the scroll-through (two animation "
        "frames per screen: long pages pay more) and the image decode wait. This is the bulk of the latency gap, "
        "and it is what buys the completeness below.",
        f"- **Egress proxy hop + routing**: PagePress's `load` takes {median(nav_delta):+.0f} ms (median over pages) "
        "relative to the baseline's. Every request passes Playwright routing (a round trip to the Python side) and "
        "then the pinning proxy, which opens a new upstream connection per plain-HTTP request (`Connection: close`).",
    ]
    if guard_on:
        overhead.append(
            f"- **Guard in isolation** (baseline+guard ablation: bare Playwright plus `EgressGuard`, no settle, "
            f"no pypdf): best-of-N total {median(guard_delta):+.0f} ms per page (median over pages; range "
            f"{min(guard_delta):+.0f} to {max(guard_delta):+.0f} ms), its `load` {median(guard_nav):+.0f} ms "
            "(median over pages). Small next to the settle waits.")
    overhead += [
        f"- **pypdf rewrite** (`stamp_metadata`: parse, clone, write back): median {median(pyp_all):.0f} ms per page, "
        f"max {max(pyp_all):.0f} ms (timed alone on the baseline's PDFs; grows with PDF size/objects).",
        "- **page.pdf itself is usually faster in PagePress**: after settling, layout, fonts and image decoding "
        "are done, while the baseline's `page.pdf` still has to finish them (and Chromium fetches native lazy "
        "images for printing inside it). Part of the settle time is work the baseline also pays, just later.",
        "- **Everything else** (context with init script and routes, emulate_media, title, proxy start/stop, "
        "the hop to the renderer's loop thread): the `context+other` column.",
    ]
    if js:
        overhead.append(
            f"- On **js-fetch** the API answers {API_DELAY_SECONDS * 1000:.0f} ms after `load`; PagePress waits for it "
            "(and then for quiet) while the baseline prints the 'Loading...' placeholder.")

    facts = results["facts"]
    md = [
        "# PagePress conversion benchmark",
        "",
        "PagePress's `PlaywrightRenderer` against bare Playwright + the same Chromium, on the same pages, in the "
        "same run. Generated by `bench/conversion_bench.py`; rerun with `make bench`.",
        "",
        "## Machine and run",
        "",
        f"- Date: {facts['date_utc']}",
        f"- Command: `{results['command']}` (from the repository root; `make bench` runs the same)",
        f"- nproc: {facts['nproc']} (available to this process: {facts['nproc_available']}); CPU: {facts['cpu']}; "
        f"memory: {facts['memory']}; kernel {facts['kernel']}",
        f"- Chromium: {facts['chromium']} (`{CHROMIUM}`)",
        f"- Python {facts['python']}, Playwright {facts['playwright']}, pypdf {facts['pypdf']}; "
        f"repository at {facts['git_commit']}",
        f"- Load average (1/5/15 min) at start {facts['loadavg_at_start']}, at end {facts['loadavg_at_end']}: "
        f"{'a shared, busy machine (other jobs were running), so absolute times are noisy; the systems are interleaved so both suffer alike and the ratios are the figures to read' if max(facts['loadavg_at_start'][0], facts['loadavg_at_end'][0]) > (facts['nproc'] or 1) else 'the machine was otherwise quiet'}.",
        f"- Run: {results['args']['reps']} warm repetitions per page and system (interleaved, alternating order), "
        f"{results['args']['batch_rounds']} throughput batches per system, {results['args']['cold_reps']} cold starts "
        f"per system, baseline+guard in the first {results['args']['guard_reps']} repetitions; whole run {results['wall_seconds']} s. No internet: pages come from a loopback HTTP/1.1 "
        "server in a child process.",
        "",
        "## Setup",
        "",
        "- **baseline**: bare Playwright (async API) + the same Chromium and flags "
        f"(`{' '.join(CHROMIUM_FLAGS)}`), launched once; per page `new_context(viewport=1280x900)`, `new_page`, "
        "`goto(wait_until=\"load\")`, `page.pdf(format=\"A4\", margin=1cm, print_background=True)`, close.",
        "- **PagePress**: `PlaywrightRenderer(EgressPolicy(allow=\"127.0.0.1:PORT\"), chromium_path=...)` with "
        "default timeouts (render 45 s, settle 10 s) and render_concurrency 2, warm; `render(url, "
        "ConversionOptions(), cid)` (defaults: A4, 1 cm margins, backgrounds = the baseline's PDF options).",
        "- **baseline+guard** (ablation, latency only): the baseline with PagePress's `EgressGuard` (per-job pinning "
        "proxy + Playwright routing) and nothing else.",
        "- Throughput: the same batch list (pages cycled) handed to a 2-thread pool calling each system's sync "
        "`render`; baseline therefore has 2 pages in flight, like PagePress's render_concurrency 2.",
        "- Cold start: new Playwright driver + browser launch + first render of `short`, browser closed afterwards.",
        "",
        "Corpus:",
        "",
        table(["page", "what"], [[p["name"], p["what"]] for p in pages]),
        "",
        "## Ratios (PagePress / baseline)",
        "",
        table(ratio_headers, ratio_rows),
        "",
        "Higher is slower for latency and wall time; for throughput (pages/s) below 1 means PagePress converts fewer "
        "pages per second. *Best* is each page's fastest repetition, the figure least disturbed by other load on the "
        "machine; the corpus row sums them.",
        "",
        "## Warm latency per page (ms)",
        "",
        table(lat_headers, lat_rows),
        "",
        "## Where PagePress's time goes (medians, ms)",
        "",
        "From the renderer's own `Page rendered` log timings (navigate/settle/print), the baseline's timed `goto` "
        "and `page.pdf`, and `stamp_metadata` timed alone. `context+other` = total minus the rest.",
        "",
        table(break_headers, break_rows),
        "",
        *overhead,
        "",
        "## Completeness: what ended up in the PDF",
        "",
        "From the last latency repetition's PDFs (pypdf): size, pages, pictures (distinct image XObjects of at least "
        f"{MIN_IMAGE_SIDE} px; `icons` = Chromium's broken-image icon for an `<img>` that never loaded), marker strings "
        "that must appear in the text, words extracted, embedded fonts.",
        "",
        table(comp_headers, comp_rows),
        "",
        *[f"- {f}" for f in flags],
        "",
        "## Cold start (ms)",
        "",
        f"- baseline runs: {cold['baseline_runs_ms']}, median {cold['baseline_median_ms']}",
        f"- PagePress runs: {cold['pagepress_runs_ms']}, median {cold['pagepress_median_ms']} "
        "(includes the CDP call for the browser pid and the first job's settle waits)",
        f"- start-up alone (cold minus the warm median of the same page): baseline "
        f"{cold['baseline_minus_warm_short_ms']} ms, PagePress {cold['pagepress_minus_warm_short_ms']} ms",
        "",
        "Raw numbers: `bench/results.json`.",
        "",
    ]
    console = "\n".join([
        "Ratios (PagePress / baseline)", table(ratio_headers, ratio_rows), "",
        "Warm latency per page (ms)", table(lat_headers, lat_rows), "",
        "Where PagePress's time goes (ms)", table(break_headers, break_rows), "",
        "Completeness", table(comp_headers, comp_rows), "", *[f"- {f}" for f in flags],
    ])
    js_out = {
        "facts": facts, "command": results["command"], "args": results["args"],
        "wall_seconds": results["wall_seconds"], "ratios": ratios,
        "latency_summary_ms": {"overall": overall, "per_page": summary},
        "throughput": throughput, "cold_start": cold, "breakdown_ms": breakdown,
        "pypdf_rewrite_ms": {k: round(v, 1) for k, v in results["pypdf_rewrite_ms"].items()},
        "completeness": results["completeness"], "flags": flags,
        "raw": {"latency_ms": {n: {s: [round(v, 1) for v in vs] for s, vs in d.items()} for n, d in lat.items()},
                "phases_ms": {n: {k: [round(v, 1) for v in vs] for k, vs in d.items()} for n, d in ph.items()},
                "throughput_wall_ms": {s: [round(v) for v in vs] for s, vs in tp.items()},
                "cold_ms": {s: [round(v) for v in vs] for s, vs in results["cold_ms"].items()}},
    }
    return {"markdown": "\n".join(md), "console": console, "json": js_out}


if __name__ == "__main__":
    sys.exit(main())
