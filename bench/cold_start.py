"""One cold start, as Lambda's init would see it: run in a fresh interpreter by measure.cold_start.

``python -m bench.cold_start pagepress|bare URL`` prints one JSON line of phase timings:
(PagePress) importing ``converter.handler`` as Lambda's init does (warm start on, so Chromium
starts in the background), then the first job, which waits for whatever of the launch is
left; (bare) imports, driver start + browser launch, then the first page. The environment
(CONVERTER_EGRESS_ALLOW, CONVERTER_WARM_START, CHROMIUM_PATH) comes from measure.cold_start.
"""

from __future__ import annotations

import json
import sys
import time

STARTED = time.perf_counter()


def _ms(mark: float) -> float:
    return round((time.perf_counter() - mark) * 1000, 1)


def pagepress(url: str) -> dict:
    """What Lambda's init then first invocation do: import the handler (which, with warm start
    on, launches Chromium in the background), then the first job on the container's renderer."""
    mark = time.perf_counter()
    import converter.handler as handler  # the Lambda's module, with everything it imports
    from chalicelib.domain.models import ConversionOptions
    from chalicelib.wiring import container

    out = {"imports_ms": _ms(mark)}
    mark = time.perf_counter()
    renderer = container(handler.playwright_renderer).renderer()
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
    system, target = sys.argv[1], sys.argv[2]
    result = pagepress(target) if system == "pagepress" else bare(target)
    print(json.dumps(result), flush=True)
