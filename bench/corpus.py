"""The pages the benchmark converts, and what must end up in each PDF.

Every page names marker strings that must appear in the PDF's text and how many pictures
it must show; content that only arrives after ``load`` (fetched, timer-driven, scrolled
in) carries markers of its own, so an impatient converter visibly misses it.
"""

from __future__ import annotations

import glob
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

from bench.content import BASE_CSS, TABLE_CSS, html, ledger_rows, paragraph, png, sentence
from bench.page_server import Route

API_DELAY_SECONDS = 0.3  # the "backend" behind the js-fetch page
SPA_BOOT_DELAY_SECONDS = 0.15  # the single-page app waits this long before fetching its data
LONG_POLL_HOLD_SECONDS = 25.0
WS_TICK_SECONDS = 0.25
BEACON_INTERVAL_MS = 200
PHOTOS = 14
MIXED_PAGES = 16  # the end-to-end batch: 16 pages of text, a table and 6 images each
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
]


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    what: str
    markers: tuple[str, ...]
    images: int  # pictures the PDF must show (at least)
    font: str | None = None  # a web font the PDF must embed
    never_idle: bool = False  # keeps the network or the DOM busy forever


@dataclass
class Corpus:
    routes: dict[str, Route]
    pages: list[Page]
    mixed_paths: list[str]  # MIXED_PAGES distinct pages like the "mixed" one

    def page(self, name: str) -> Page:
        return next(p for p in self.pages if p.name == name)


def _img(n: int, alt: str, lazy: str = "") -> str:
    return (
        f"<figure><img {lazy}src='/img/photo-{n}.png' width=320 height=214 alt='photo {n}'>"
        f"<figcaption>{alt} {n}</figcaption></figure>"
    )


def build_corpus() -> Corpus:
    rng = random.Random(20240601)
    routes: dict[str, Route] = {}
    pages: list[Page] = []

    def add(page: Page, body: bytes) -> None:
        routes[page.path] = Route(body=body)
        pages.append(page)

    for n in range(PHOTOS):
        routes[f"/img/photo-{n}.png"] = Route(content_type="image/png", body=png(320, 214, seed=n))

    # A short text page.
    add(
        Page("short", "/short.html", "a few paragraphs of text", ("END-OF-SHORT",), 0),
        html(
            "Short note",
            BASE_CSS
            + "<h1>Service notice</h1>"
            + "".join(f"<p>{paragraph(rng, 3)}</p>" for _ in range(3))
            + "<p>END-OF-SHORT</p>",
        ),
    )

    # A long article (several printed pages).
    sections = []
    for s in range(14):
        sections.append(f"<h2>Part {s + 1}: {sentence(rng, 4)[:-1]}</h2>")
        sections.extend(f"<p>{paragraph(rng)}</p>" for _ in range(5))
        if s % 4 == 1:
            sections.append(f"<blockquote>{sentence(rng, 20)}</blockquote>")
        if s % 4 == 3:
            sections.append("<ul>" + "".join(f"<li>{sentence(rng, 9)}</li>" for _ in range(5)) + "</ul>")
    add(
        Page("article", "/article.html", "long article, 14 sections", ("END-OF-ARTICLE",), 0),
        html("A long article", BASE_CSS + "<h1>The long read</h1>" + "".join(sections) + "<p>END-OF-ARTICLE</p>"),
    )

    # Images: 4 eager at the top, 8 native loading=lazy far below the fold, and 2
    # script-lazy ones (data-src + IntersectionObserver) at the very bottom.
    body = ["<h1>Photo essay</h1>", f"<p>{paragraph(rng)}</p>"]
    body += [_img(n, "Eager photo") for n in range(4)]
    for n in range(4, 12):
        body.extend(f"<p>{paragraph(rng)}</p>" for _ in range(5))
        body.append(_img(n, "Lazy photo", lazy="loading=lazy "))
    for n in range(12, 14):
        body.extend(f"<p>{paragraph(rng)}</p>" for _ in range(3))
        body.append(
            f"<figure><img class=js-lazy data-src='/img/photo-{n}.png' width=320 height=214 "
            f"alt='photo {n}'><figcaption>Script-lazy photo {n}</figcaption></figure>"
        )
    body.append(
        "<p>END-OF-PHOTOS</p><script>"
        "const io = new IntersectionObserver(entries => entries.forEach(e => {"
        " if (e.isIntersecting) { e.target.src = e.target.dataset.src; io.unobserve(e.target); }"
        "}), {rootMargin: '200px'});"
        "document.querySelectorAll('img.js-lazy').forEach(img => io.observe(img));</script>"
    )
    add(
        Page(
            "images",
            "/images.html",
            "14 images: 4 eager, 8 loading=lazy, 2 IntersectionObserver",
            ("END-OF-PHOTOS",),
            14,
        ),
        html("Photo essay", BASE_CSS + "".join(body)),
    )

    # A web font and an external stylesheet.
    font_path = (
        next((p for p in FONT_CANDIDATES if os.path.exists(p)), None)
        or sorted(glob.glob("/usr/share/fonts/**/*.ttf", recursive=True))[0]
    )
    font_name = Path(font_path).stem.split("-")[0]
    routes["/assets/brand.ttf"] = Route(content_type="font/ttf", body=Path(font_path).read_bytes())
    routes["/assets/site.css"] = Route(
        content_type="text/css",
        body=(
            b"@font-face{font-family:'BenchBrand';src:url('/assets/brand.ttf') format('truetype');font-display:swap}"
            b"body{font-family:'BenchBrand',sans-serif;max-width:44em;margin:2em auto;color:#222;line-height:1.6}"
            b"h1,h2{letter-spacing:.02em;border-bottom:2px solid #c33;padding-bottom:.2em}"
            b".card{background:#f4f1ea;border-radius:8px;padding:1em 1.5em;margin:1em 0;box-shadow:0 1px 3px #0003}"
            b".grid{display:grid;grid-template-columns:1fr 1fr;gap:1em}"
        ),
    )
    cards = "".join(
        f"<div class=card><h2>{sentence(rng, 3)[:-1]}</h2><p>{paragraph(rng, 4)}</p></div>" for _ in range(6)
    )
    add(
        Page(
            "webfont", "/fonts.html", f"@font-face ({font_name}) + external CSS", ("END-OF-FONTS",), 0, font=font_name
        ),
        html(
            "Branded page",
            "<h1>Brand font and CSS</h1><div class=grid>" + cards + "</div><p>END-OF-FONTS</p>",
            head="<link rel=stylesheet href='/assets/site.css'>",
        ),
    )

    # Content fetched by script after load, from a slowish API.
    stories = [{"title": f"FETCHED-STORY-{i}", "text": paragraph(rng, 2)} for i in range(1, 13)]
    routes["/api/stories.json"] = Route(
        content_type="application/json", body=json.dumps(stories).encode(), delay=API_DELAY_SECONDS
    )
    add(
        Page(
            "js-fetch",
            "/app.html",
            f"fetch() after load, API answers in {API_DELAY_SECONDS * 1000:.0f} ms",
            ("FETCHED-STORY-1", "FETCHED-STORY-12"),
            0,
        ),
        html(
            "Dynamic page",
            BASE_CSS + "<h1>Latest stories</h1><div id=feed><p>Loading...</p></div><script>"
            "window.addEventListener('load', () => { fetch('/api/stories.json').then(r => r.json()).then(items => {"
            " document.getElementById('feed').innerHTML = items.map(s =>"
            " `<article><h2>${s.title}</h2><p>${s.text}</p></article>`).join(''); }); });</script>",
        ),
    )

    # A table-heavy page.
    add(
        Page("table", "/table.html", "260-row, 8-column table", ("END-OF-TABLE", "INV-10259"), 0),
        html("Ledger", TABLE_CSS + "<h1>Ledger 2024</h1>" + ledger_rows(rng, 260) + "<p>END-OF-TABLE</p>"),
    )

    _add_spa(rng, routes, add)
    _add_live_pages(rng, routes, add)
    _add_infinite_scroll(rng, routes, add)
    _add_long(rng, add)
    mixed_paths = _add_mixed(rng, routes, add)
    return Corpus(routes, pages, mixed_paths)


def _add_spa(rng: random.Random, routes: dict, add) -> None:
    """Client-rendered: an empty shell; after a short delay the app fetches its catalogue,
    renders it, then follows a client-side route whose view fetches more (with pictures)."""
    catalog = [{"name": f"SPA-ITEM-{i}", "blurb": sentence(rng, 10)} for i in range(1, 21)]
    featured = {"title": "SPA-ROUTE-FEATURED", "text": paragraph(rng, 4), "photos": [5, 6]}
    routes["/api/catalog.json"] = Route(content_type="application/json", body=json.dumps(catalog).encode(), delay=0.2)
    routes["/api/featured.json"] = Route(content_type="application/json", body=json.dumps(featured).encode(), delay=0.1)
    script = f"""<script>
const app = document.getElementById('app');
function featuredView() {{
  return fetch('/api/featured.json').then(r => r.json()).then(f => {{
    const view = document.createElement('section');
    view.innerHTML = `<h2>${{f.title}}</h2><p>${{f.text}}</p>` + f.photos.map(n =>
      `<figure><img src="/img/photo-${{n}}.png" width=320 height=214 alt="photo ${{n}}"></figure>`).join('');
    app.appendChild(view);
  }});
}}
setTimeout(() => fetch('/api/catalog.json').then(r => r.json()).then(items => {{
  app.innerHTML = '<h1>Catalogue</h1><ul>' + items.map(i => `<li><b>${{i.name}}</b> ${{i.blurb}}</li>`).join('')
    + '</ul>';
  history.pushState({{}}, '', '/spa/featured');
  return featuredView();
}}), {SPA_BOOT_DELAY_SECONDS * 1000:.0f});
</script>"""
    add(
        Page(
            "spa",
            "/spa/",
            "client-rendered app: data fetched after a delay, then a client-side route",
            ("SPA-ITEM-1", "SPA-ITEM-20", "SPA-ROUTE-FEATURED"),
            2,
        ),
        html("Shop", BASE_CSS + "<div id=app><p>Loading the app...</p></div>" + script),
    )


def _add_live_pages(rng: random.Random, routes: dict, add) -> None:
    """Pages that never go idle: a WebSocket ticker, a long-poll loop, an analytics beacon."""
    headlines = [{"title": f"LIVE-HEADLINE-{i}", "text": paragraph(rng, 2)} for i in range(1, 9)]
    routes["/api/headlines.json"] = Route(
        content_type="application/json", body=json.dumps(headlines).encode(), delay=0.15
    )
    routes["/ws/ticker"] = Route(
        kind="websocket", params={"interval": WS_TICK_SECONDS, "first_message": "WS-FIRST-TICK"}
    )
    add(
        Page(
            "websocket",
            "/live.html",
            f"WebSocket ticking every {WS_TICK_SECONDS * 1000:.0f} ms forever, headlines fetched after load",
            ("LIVE-HEADLINE-1", "LIVE-HEADLINE-8", "WS-FIRST-TICK", "END-OF-LIVE"),
            0,
            never_idle=True,
        ),
        html(
            "Live",
            BASE_CSS
            + "<h1>Live desk</h1><p id=ticker>connecting...</p><div id=news></div>"
            + "".join(f"<p>{paragraph(rng, 3)}</p>" for _ in range(3))
            + "<p>END-OF-LIVE</p><script>"
            "const ws = new WebSocket(`ws://${location.host}/ws/ticker`); let first = true;"
            "ws.onmessage = e => { const t = document.getElementById('ticker');"
            " if (first) { first = false; t.insertAdjacentHTML('beforebegin', `<p>${e.data}</p>`); }"
            " t.textContent = 'Last update: ' + e.data; };"
            "fetch('/api/headlines.json').then(r => r.json()).then(items => {"
            " document.getElementById('news').innerHTML = items.map(h => `<h2>${h.title}</h2><p>${h.text}</p>`).join('');"
            "});</script>",
        ),
    )

    routes["/api/poll"] = Route(
        kind="long-poll", params={"hold_seconds": LONG_POLL_HOLD_SECONDS, "first_message": "POLL-FIRST-MESSAGE"}
    )
    add(
        Page(
            "long-poll",
            "/chat.html",
            f"long-poll loop: a request always held open ({LONG_POLL_HOLD_SECONDS:.0f} s each)",
            ("POLL-FIRST-MESSAGE", "END-OF-CHAT"),
            0,
            never_idle=True,
        ),
        html(
            "Chat",
            BASE_CSS
            + "<h1>Support chat</h1><div id=log></div>"
            + "".join(f"<p>{paragraph(rng, 3)}</p>" for _ in range(3))
            + "<p>END-OF-CHAT</p><script>"
            "function poll(since) { fetch('/api/poll?since=' + since).then(r => r.json()).then(d => {"
            " d.messages.forEach(m => document.getElementById('log').insertAdjacentHTML('beforeend', `<p>${m}</p>`));"
            " poll(d.next); }).catch(() => setTimeout(() => poll(since), 1000)); }"
            "poll(0);</script>",
        ),
    )

    routes["/beacon"] = Route(kind="beacon")
    add(
        Page(
            "beacon",
            "/tracked.html",
            f"navigator.sendBeacon every {BEACON_INTERVAL_MS} ms forever, a paragraph added by a 300 ms timer",
            ("BEACON-LATE-PARAGRAPH", "END-OF-TRACKED"),
            2,
            never_idle=True,
        ),
        html(
            "Tracked article",
            BASE_CSS
            + "<h1>Tracked article</h1>"
            + _img(7, "Photo")
            + _img(8, "Photo")
            + "".join(f"<p>{paragraph(rng, 4)}</p>" for _ in range(4))
            + "<div id=late></div><p>END-OF-TRACKED</p>"
            "<script>let seq = 0;"
            f"setInterval(() => navigator.sendBeacon('/beacon', JSON.stringify({{seq: ++seq, t: Date.now()}})), "
            f"{BEACON_INTERVAL_MS});"
            "setTimeout(() => { document.getElementById('late').innerHTML = '<p>BEACON-LATE-PARAGRAPH</p>'; }, 300);"
            "</script>",
        ),
    )


def _add_infinite_scroll(rng: random.Random, routes: dict, add) -> None:
    """Fills two screens from an endless feed, then appends a page of items whenever the
    reader scrolls near the bottom (a scroll listener, as most feeds do)."""
    routes["/api/feed"] = Route(
        kind="feed",
        delay=0.12,
        params={
            "per_page": 10,
            "image_every": 10,
            "images": [9, 10, 11, 12, 13],
            "text": [paragraph(rng, 2) for _ in range(7)],
        },
    )
    add(
        Page(
            "infinite-scroll",
            "/feed.html",
            "endless feed: fills 2 screens by fetch, more on scroll",
            ("FEED-ITEM-1", "FEED-ITEM-20"),
            2,
        ),
        html(
            "Feed",
            BASE_CSS + "<h1>Your feed</h1><div id=items></div><p id=more>Loading more...</p><script>"
            "let next = 1, busy = false;"
            "function load() { if (busy) return Promise.resolve(); busy = true;"
            " return fetch('/api/feed?page=' + next++).then(r => r.json()).then(d => {"
            "  document.getElementById('items').insertAdjacentHTML('beforeend', d.items.map(i =>"
            '   `<article><h2>${i.title}</h2><p>${i.text}</p>` + (i.image ? `<img src="/img/photo-${i.image}.png"'
            "   width=320 height=214 alt=\"photo\">` : '') + '</article>').join(''));"
            "  busy = false; }); }"
            "function fill() { if (document.documentElement.scrollHeight < 2 * innerHeight) return load().then(fill); }"
            "load().then(fill);"
            "addEventListener('scroll', () => { if (innerHeight + scrollY > document.documentElement.scrollHeight - 600)"
            " load(); });</script>",
        ),
    )


def _add_long(rng: random.Random, add) -> None:
    body = ["<h1>LONG-START The complete records</h1>"]
    for s in range(40):
        body.append(f"<h2>Chapter {s + 1}</h2>")
        body.extend(f"<p>{paragraph(rng, 7)}</p>" for _ in range(9))
        if s == 20:
            body.append("<p>LONG-MIDDLE-MARKER</p>")
    add(
        Page(
            "long",
            "/long.html",
            "very long page: 360 paragraphs (50+ PDF pages)",
            ("LONG-START", "LONG-MIDDLE-MARKER", "END-OF-LONG"),
            0,
        ),
        html("The complete records", BASE_CSS + "".join(body) + "<p>END-OF-LONG</p>"),
    )


def _add_mixed(rng: random.Random, routes: dict, add) -> list[str]:
    """MIXED_PAGES distinct pages of text, a table and 6 images; the corpus keeps the first."""
    paths = []
    for i in range(1, MIXED_PAGES + 1):
        photos = [(i + k) % PHOTOS for k in range(6)]
        body = [f"<h1>Report {i}</h1>", f"<p>{paragraph(rng)}</p>"]
        for k, n in enumerate(photos):
            body.append(_img(n, "Figure"))
            if k == 2:
                body.append(ledger_rows(rng, 30, first=20000 + 100 * i))
            body.append(f"<p>{paragraph(rng, 4)}</p>")
        body.append(f"<p>END-OF-REPORT-{i}</p>")
        path = f"/mixed/{i}.html"
        content = html(f"Report {i}", BASE_CSS + TABLE_CSS + "".join(body))
        if i == 1:
            add(
                Page(
                    "mixed",
                    path,
                    "text, a 30-row table and 6 images (the end-to-end page)",
                    ("END-OF-REPORT-1", "INV-20129"),
                    6,
                ),
                content,
            )
        else:
            routes[path] = Route(body=content)
        paths.append(path)
    return paths
