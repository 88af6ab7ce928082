"""One cold start, as Lambda's init would see it: run in a fresh interpreter by measure.cold_start.

``python -m bench.cold_start pagepress|bare URL PORT`` prints one JSON line of phase timings:
imports, then (PagePress) building the renderer and its first render, which includes the
Playwright driver and browser launch; (bare) driver start + browser launch, then the first page.
"""
from __future__ import annotations

import json
import sys
import time

STARTED = time.perf_counter()


def _ms(mark: float) -> float:
    return round((time.perf_counter() - mark) * 1000, 1)


def pagepress(url: str, port: int) -> dict:
    mark = time.perf_counter()
    import converter.handler  # noqa: F401 - the Lambda's module, with everything it imports
    from chalicelib.domain.models import ConversionOptions
    from chalicelib.egress import EgressPolicy
    from converter.renderer import PlaywrightRenderer
    from bench.systems import CHROMIUM
    out = {"imports_ms": _ms(mark)}
    mark = time.perf_counter()
    renderer = PlaywrightRenderer(EgressPolicy(allow=f"127.0.0.1:{port}"), chromium_path=CHROMIUM)
    out["construct_ms"] = _ms(mark)
    mark = time.perf_counter()
    renderer.render(url, ConversionOptions(), "cold-start")
    out["first_render_ms"] = _ms(mark)
    out["total_ms"] = _ms(STARTED)
    renderer.close()
    return out


def bare(url: str) -> dict:
    mark = time.perf_counter()
    from playwright.sync_api import sync_playwright
    from bench.systems import CHROMIUM, CHROMIUM_FLAGS, PDF_ARGS, VIEWPORT
    out = {"imports_ms": _ms(mark)}
    mark = time.perf_counter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        out["launch_ms"] = _ms(mark)
        mark = time.perf_counter()
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.pdf(**PDF_ARGS)
        context.close()
        out["first_render_ms"] = _ms(mark)
        out["total_ms"] = _ms(STARTED)
        browser.close()
    return out


if __name__ == "__main__":
    system, target, server_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    result = pagepress(target, server_port) if system == "pagepress" else bare(target)
    print(json.dumps(result), flush=True)
