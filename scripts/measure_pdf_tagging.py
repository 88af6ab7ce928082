"""How much tagging (and the outline) costs Chromium's print step, on a heading-rich page.

Run: .venv/bin/python -m scripts.measure_pdf_tagging [rounds] [sections...]
Prints the median print time and size for each combination. A measurement for the record,
not a benchmark (bench/ is the benchmark); it runs Playwright directly, without the pipeline.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import sys
import time

from playwright.async_api import async_playwright
from pypdf import PdfReader

from chalicelib.config import default_chromium
from converter.pdf_metadata import count_outline


def page_with(sections: int) -> str:
    return "<title>Tagged</title>" + "".join(
        f"<h1>Chapter {i}</h1><p>{'Some words of the chapter. ' * 40}</p>"
        f"<h2>Section {i}.1</h2><ul>{'<li>an item</li>' * 8}</ul>"
        f"<table><tr><th>a</th><th>b</th></tr>{'<tr><td>1</td><td>2</td></tr>' * 6}</table>"
        for i in range(sections)
    )


COMBINATIONS = [(False, False), (True, False), (True, True), (False, True)]


async def measure(rounds: int, sections: int) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=default_chromium())
        page = await browser.new_page()
        await page.set_content(page_with(sections))
        await page.emulate_media(media="print")
        await page.pdf(format="A4")  # warm up
        for tagged, outline in COMBINATIONS:
            times, size, entries = [], 0, 0
            for _ in range(rounds):
                started = time.perf_counter()
                pdf = await page.pdf(format="A4", tagged=tagged, outline=outline)
                times.append((time.perf_counter() - started) * 1000)
                size = len(pdf)
                entries = count_outline(PdfReader(io.BytesIO(pdf)).outline)
            print(
                f"{sections} sections, tagged={tagged!s:5} outline={outline!s:5}"
                f"  print median {statistics.median(times):7.1f} ms  size {size / 1024:7.1f} KB"
                f"  outline entries {entries}"
            )
        await browser.close()


if __name__ == "__main__":
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    for sections in (int(n) for n in (sys.argv[2:] or ["4", "40"])):
        asyncio.run(measure(rounds, sections))
