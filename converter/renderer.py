"""``Renderer`` implemented with Playwright and headless Chromium.

The SQS handler calls ``render`` from several threads at once. Playwright's async API
wants one event loop, so every call is handed to a dedicated loop thread; there one warm
browser (``BrowserSupervisor``) serves all jobs, each job gets a fresh browser context
behind its own egress guard (opened ahead of time: ``SparePages``, and closed after the
job has its PDF), and a semaphore keeps at most ``render_concurrency`` pages rendering at
a time. Every wait is bounded; the job as a whole by ``render_timeout_seconds``.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import functools
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger
from playwright.async_api import BrowserContext, Page, Response
from playwright.async_api import (
    Error as PlaywrightError,
)
from playwright.async_api import (
    TimeoutError as PlaywrightTimeoutError,
)

from chalicelib.config import Settings
from chalicelib.domain.errors import ConversionFailed
from chalicelib.domain.models import ConversionOptions, RenderedPdf
from chalicelib.domain.outputs import OUTPUTS
from chalicelib.domain.page_credentials import PageCredentials
from chalicelib.domain.ports import Renderer
from chalicelib.domain.render_report import PdfFacts, RenderReport
from chalicelib.egress import EgressPolicy
from converter import failures
from converter.browser import BrowserGeneration, BrowserSupervisor
from converter.chromium_process import ChromiumProcess
from converter.egress_guard import EgressGuard
from converter.failure_policy import FailureWatch, document_fails
from converter.html_source import SOURCE_URL, serve_source
from converter.job_pages import BrowserGone, Guard, GuardFactory, JobPage, PageWatch, SparePages
from converter.loop_thread import LoopThread
from converter.origin_credentials import apply_credentials
from converter.page_options import (
    await_expression,
    before_print,
    page_range_failure,
    prepare_page,
    print_arguments,
)
from converter.pdf_metadata import stamp_metadata
from converter.readiness import settle
from converter.report import ReportCollector
from converter.screenshot import take_screenshot
from converter.thumbnail import thumbnail_of

logger = Logger(service="pagepress-converter", child=True)

#: Browser start-up and shutdown bounds; separate from the per-job budget so a cold
#: start does not eat into the page's time and a launch is never cancelled half-way.
LAUNCH_TIMEOUT_SECONDS = 30.0
CLOSE_TIMEOUT_SECONDS = 5.0


class PlaywrightRenderer(Renderer):
    """Thread-safe, synchronous facade over one warm Chromium. Call ``close()`` when done."""

    def __init__(
        self,
        egress_policy: EgressPolicy,
        *,
        chromium_path: str | None = None,
        render_timeout_seconds: float = 45.0,
        settle_timeout_seconds: float = 10.0,
        max_pdf_bytes: int = 50 * 1024 * 1024,
        max_pdf_pages: int = 500,
        render_concurrency: int = 2,
        browser_recycle_after: int = 500,
        launch_timeout_seconds: float = LAUNCH_TIMEOUT_SECONDS,
        close_timeout_seconds: float = CLOSE_TIMEOUT_SECONDS,
        guard_factory: GuardFactory | None = None,
    ) -> None:
        if settle_timeout_seconds >= render_timeout_seconds:
            raise ValueError("settle_timeout_seconds must be below render_timeout_seconds")
        self._render_timeout = render_timeout_seconds
        self._settle_timeout = settle_timeout_seconds
        # Navigation gets what settling and printing do not need, but never under a third.
        self._navigation_timeout = max(render_timeout_seconds - 2 * settle_timeout_seconds, render_timeout_seconds / 3)
        self._max_pdf_bytes = max_pdf_bytes
        self._max_pdf_pages = max_pdf_pages
        self._close_timeout = close_timeout_seconds
        self._launch_timeout = launch_timeout_seconds
        self._guard_factory = guard_factory or (lambda: EgressGuard(egress_policy))
        self._slots = asyncio.Semaphore(render_concurrency)
        self._supervisor = BrowserSupervisor(
            executable_path=chromium_path,
            recycle_after=browser_recycle_after,
            launch_timeout_seconds=launch_timeout_seconds,
            close_timeout_seconds=close_timeout_seconds,
            extra_args=EgressGuard.LAUNCH_ARGS,
            logger=logger,
        )
        # Slot wait + launch + the job + closing its context and maybe its browser.
        self.worst_case_seconds = 2 * render_timeout_seconds + launch_timeout_seconds + 3 * close_timeout_seconds
        self._spares = SparePages(
            render_concurrency, self._guard_factory, close_timeout_seconds, launch_timeout_seconds, logger
        )
        self._background: set[asyncio.Future[None]] = set()  # contexts closing after their jobs
        self._loop = LoopThread("pagepress-renderer")
        self._close_lock = threading.Lock()
        self._closed = False
        atexit.register(self.close)

    @classmethod
    def from_settings(cls, settings: Settings) -> PlaywrightRenderer:
        return cls(
            EgressPolicy.from_settings(settings),
            chromium_path=settings.chromium_path,
            render_timeout_seconds=settings.render_timeout_seconds,
            settle_timeout_seconds=settings.settle_timeout_seconds,
            max_pdf_bytes=settings.max_pdf_bytes,
            max_pdf_pages=settings.max_pdf_pages,
            render_concurrency=settings.render_concurrency,
            browser_recycle_after=settings.browser_recycle_after,
        )

    # --- the synchronous face -------------------------------------------------------------

    def render(
        self, url: str, options: ConversionOptions, correlation_id: str, credentials: PageCredentials | None = None
    ) -> RenderedPdf:
        return self._run_job(lambda: self._job(url, options, correlation_id, credentials=credentials))

    def render_html(self, html: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf:
        """The same job as ``render``, with the document served from ``html_source.SOURCE_URL``."""
        return self._run_job(lambda: self._job(SOURCE_URL, options, correlation_id, html))

    def _run_job(self, job: Callable[[], Coroutine[Any, Any, RenderedPdf]]) -> RenderedPdf:
        """Run ``job()`` on the renderer's loop thread (made there only once the renderer is known open)."""
        if self._closed:
            raise ConversionFailed("The converter is shutting down", "renderer_unavailable", permanent=False)
        try:
            return self._loop.run(job(), self.worst_case_seconds)
        except concurrent.futures.TimeoutError:
            raise failures.render_timeout(self._render_timeout) from None

    def warm_up(self) -> None:
        """Start the browser and the spare pages now, without waiting for them: called while
        the process starts (Lambda's init phase), so the first job finds them ready or on the way."""
        if not self._closed:
            self._loop.submit(self._warm_up())

    def prepare_next_job(self) -> None:
        """Launch the next browser now if the current one is worn out (``browser_recycle_after``
        jobs) or dead, so the next job does not wait for it. The converter calls this after each
        batch, once its PDFs are stored and marked ready; on Lambda the launch is billed to that
        invocation instead of delaying the next one's job."""
        if self._closed:
            return
        try:
            self._loop.run(self._renew(), self._launch_timeout + 5)
        except (TimeoutError, RuntimeError) as exc:  # the loop is stopping, or the launch hangs
            logger.warning("The next browser could not be prepared", extra={"error": str(exc)})

    async def _renew(self) -> None:
        if not self._supervisor.has_usable_browser():
            await self._warm_up()

    async def _warm_up(self) -> None:
        try:
            generation = await self._supervisor.acquire(counted=False)
        except (TimeoutError, PlaywrightError, OSError) as exc:
            logger.warning("Chromium could not start ahead of the first job", extra={"error": str(exc)})
            return
        try:
            # One spare for the first job; the rest follow the jobs (opening them all at once
            # would compete with the first job for the CPU on a small machine).
            self._spares.refill(generation, lambda: self._supervisor.serves(generation), up_to=1)
        finally:
            await self._supervisor.release(generation)

    def close(self) -> None:
        """Close the browser and stop the loop thread. Idempotent; registered with atexit."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        try:
            self._loop.run(self._shutdown(), 4 * self._close_timeout)
        except Exception:  # shutting down: log and carry on
            logger.exception("Renderer did not shut down cleanly")
        finally:
            self._loop.stop(self._close_timeout)
            atexit.unregister(self.close)

    @property
    def browser_launches(self) -> int:
        return self._supervisor.launches

    @property
    def browser_processes(self) -> tuple[ChromiumProcess, ...]:
        """Recent browsers' pids and profile directories (diagnostics and tests)."""
        return self._supervisor.processes

    async def _shutdown(self) -> None:
        await self._spares.close()
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
        await self._supervisor.close()

    # --- one job, on the loop thread ------------------------------------------------------

    async def _job(
        self,
        url: str,
        options: ConversionOptions,
        correlation_id: str,
        html: str | None = None,
        credentials: PageCredentials | None = None,
    ) -> RenderedPdf:
        log_extra = {"correlation_id": correlation_id, "host": urlsplit(url).hostname}
        started = time.monotonic()
        try:
            await asyncio.wait_for(self._slots.acquire(), self._render_timeout)
        except TimeoutError:
            raise ConversionFailed(
                "The converter was too busy to start this page; it will be retried", "busy", permanent=False
            ) from None
        try:
            for attempt in (1, 2):
                generation = await self._acquire_browser(log_extra)
                try:
                    result = await asyncio.wait_for(
                        self._render_in(generation, url, options, log_extra, started, html, credentials),
                        self._render_timeout,
                    )
                    break
                except BrowserGone:
                    # It died between jobs (the disconnect was not yet noticed): the page
                    # was never touched, so one more try on a fresh browser is safe.
                    if attempt == 2:
                        raise failures.renderer_crashed() from None
                except TimeoutError:
                    generation.mark_broken()  # a job that overran may have wedged the browser
                    raise failures.render_timeout(self._render_timeout) from None
                except (PlaywrightError, OSError) as exc:  # not classified further down
                    logger.exception("Rendering failed", extra={**log_extra, "error": str(exc)})
                    raise ConversionFailed(
                        "The page could not be rendered; it will be retried", "render_failed", permanent=False
                    ) from None
        except ConversionFailed as failure:
            logger.warning(
                "Conversion failed",
                extra={
                    **log_extra,
                    "code": failure.code,
                    "permanent": failure.permanent,
                    "duration_ms": _ms_since(started),
                },
            )
            raise
        finally:
            self._slots.release()
        logger.info(
            "Conversion finished",
            extra={
                **log_extra,
                "pages": result.pages,
                "bytes": len(result.content),
                "warnings": len(result.warnings),
                "duration_ms": _ms_since(started),
            },
        )
        return result

    async def _acquire_browser(self, log_extra: dict[str, Any]) -> BrowserGeneration:
        try:
            return await self._supervisor.acquire()
        except (TimeoutError, PlaywrightError, OSError) as exc:
            logger.error("Chromium could not start", extra={**log_extra, "error": str(exc)})
            raise ConversionFailed(
                "The PDF engine could not start; it will be retried", "renderer_unavailable", permanent=False
            ) from None

    async def _render_in(
        self,
        generation: BrowserGeneration,
        url: str,
        options: ConversionOptions,
        log_extra: dict[str, Any],
        started: float,
        html: str | None = None,
        credentials: PageCredentials | None = None,
    ) -> RenderedPdf:
        """Render on a spare page of ``generation`` (or a new one), then let it go in the
        background: closing a context is not the job's business."""
        mark = time.monotonic()
        try:
            job_page = self._spares.take(generation) or await JobPage.open(generation, self._guard_factory)
        except BaseException:
            self._spawn(self._supervisor.release(generation))
            raise
        timings = {"wait_ms": round((mark - started) * 1000), "prepare_ms": _ms_since(mark)}
        collector = ReportCollector(job_page.page)
        try:
            if html is not None:
                await serve_source(job_page.page, html, job_page.guard)
            if credentials is not None:
                await apply_credentials(job_page.context, job_page.page, url, credentials)
            return await self._render_page(job_page, url, options, log_extra, timings, collector)
        except ConversionFailed as failure:
            failure.report = collector.report(job_page.guard.blocked, timings)
            raise
        except PlaywrightError as exc:
            if job_page.watch.broken:
                generation.mark_broken()
                logger.error("Chromium crashed", extra={**log_extra, "error": str(exc)})
                raise failures.renderer_crashed() from None
            raise
        finally:
            self._spawn(self._retire(job_page))

    async def _retire(self, job_page: JobPage) -> None:
        """After a job: close its page, and open the spare that replaces it now rather than
        while the job was loading (on a small machine the two would compete for the CPU)."""
        generation = job_page.generation
        await job_page.close(self._close_timeout, logger)
        self._spares.refill(generation, lambda: self._supervisor.serves(generation))
        await self._supervisor.release(generation)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _render_page(
        self,
        job_page: JobPage,
        url: str,
        options: ConversionOptions,
        log_extra: dict[str, Any],
        timings: dict[str, int],
        collector: ReportCollector,
    ) -> RenderedPdf:
        page = job_page.page
        budget_ends = time.monotonic() + self._render_timeout
        warnings: list[str] = []
        await job_page.use_media(options.media)
        await prepare_page(page, options)
        failure_watch = FailureWatch(page, options)

        mark = time.monotonic()
        await self._navigate(job_page, url, options)
        timings["navigate_ms"] = _ms_since(mark)

        mark = time.monotonic()
        if not await settle(page, job_page.activity, self._settle_timeout, logger):
            warnings.append(
                f"The page was still loading after {self._settle_timeout:g} seconds; "
                "the PDF shows what had arrived by then"
            )
        timings["settle_ms"] = _ms_since(mark)

        if options.wait_for_selector:
            await self._wait_for_selector(job_page, options.wait_for_selector)
        if options.delay_ms:
            await asyncio.sleep(options.delay_ms / 1000)  # asked for by the user
        if options.wait_for_expression:
            # Bounded by what is left of the render budget, less the time printing needs.
            left = budget_ends - time.monotonic() - self._settle_timeout / 2
            await await_expression(page, options.wait_for_expression, left)
        failure_watch.check()

        mark = time.monotonic()
        title = _valid_text(" ".join((await page.title()).split())) or url
        image = OUTPUTS[options.output].is_image
        raw = await (take_screenshot(page, options, self._settle_timeout) if image else self._print(job_page, options))
        timings["print_ms"] = _ms_since(mark)

        guard = job_page.guard
        if guard.blocked:
            warnings.append(_blocked_warning(len(guard.blocked)))
            for blocked in guard.blocked:
                logger.info(
                    "Request to a non-public address blocked",
                    extra={
                        **log_extra,
                        "blocked_host": blocked.host,
                        "blocked_port": blocked.port,
                        "reason": blocked.reason,
                    },
                )
        mark = time.monotonic()
        draw_thumbnail = None
        if image:  # a screenshot is its own picture: no thumbnail
            result = self._finish_image(raw, title, warnings)
        else:
            result = await self._finish(raw, title, url, warnings)
            # Drawn from the printed PDF by the job, while the PDF uploads.
            draw_thumbnail = functools.partial(thumbnail_of, raw)
        timings["stamp_ms"] = _ms_since(mark)
        logger.info("Page rendered", extra={**log_extra, **timings})
        facts = result.report.pdf if result.report else None
        return replace(result, draw_thumbnail=draw_thumbnail, report=collector.report(guard.blocked, timings, facts))

    async def _navigate(self, job_page: JobPage, url: str, options: ConversionOptions) -> None:
        page, watch, guard = job_page.page, job_page.watch, job_page.guard
        documents = _MainDocumentResponses(page)
        try:
            response = await page.goto(url, wait_until="load", timeout=self._navigation_timeout * 1000)
        except PlaywrightTimeoutError:
            _raise_if_blocked(guard, url, page.url)  # a refused hop is the reason, not the wait
            raise failures.navigation_timeout(self._navigation_timeout) from None
        except PlaywrightError as exc:
            _raise_if_blocked(guard, url, page.url)
            if not await self._still_running(watch):  # a browser going away aborts navigations too
                raise
            # Chromium fails an error status with an empty body (ERR_HTTP_RESPONSE_CODE_FAILURE);
            # the response it received still says what happened.
            response = documents.last
            if response is None or response.status < 400 or not document_fails(response.status, options):
                raise failures.navigation_failure(str(exc)) from None
        else:
            _raise_if_blocked(guard, url, page.url)  # the guard's reason beats "chrome-error:"
            blocked_scheme = failures.blocked_scheme(page.url)
            if blocked_scheme is not None:
                raise blocked_scheme
        if response is not None and response.status >= 400:
            _raise_if_blocked(guard, url, page.url)
            headers = await response.all_headers()
            if failures.proxy_could_not_connect(response.status, headers):
                raise failures.connection_failed()
        if response is not None and document_fails(response.status, options):
            raise failures.http_status_failure(response.status, response.status_text)

    async def _print(self, job_page: JobPage, options: ConversionOptions) -> bytes:
        """Chromium's PDF; its refusal of a healthy page is the options' fault, and final."""
        try:
            await before_print(job_page.page, options)
            return await job_page.page.pdf(**await print_arguments(job_page.page, options))
        except PlaywrightError as exc:
            if not await self._still_running(job_page.watch):
                raise
            if options.page_ranges and "page range" in str(exc).lower():
                raise page_range_failure(options.page_ranges) from None  # only printing knows the page count
            raise failures.print_refused() from None

    async def _still_running(self, watch: PageWatch) -> bool:
        """Whether the page still answers: only then is a failure the page's or the options'
        own (and final), not the browser being stopped or killed under it."""
        if watch.broken or self._closed:
            return False
        try:
            # A round trip to the browser process (not the page's script: error pages run none).
            await asyncio.wait_for(watch.page.context.cookies(), self._close_timeout)
        except (TimeoutError, PlaywrightError):
            return False
        return not watch.broken

    async def _wait_for_selector(self, job_page: JobPage, selector: str) -> None:
        try:
            await job_page.page.wait_for_selector(selector, state="attached", timeout=self._settle_timeout * 1000)
        except PlaywrightTimeoutError:
            raise ConversionFailed(
                f"No element matching {selector!r} appeared within {self._settle_timeout:g} seconds",
                "selector_not_found",
                permanent=True,
            ) from None
        except PlaywrightError:
            if job_page.watch.broken:
                raise
            raise ConversionFailed(
                f"{selector!r} is not a valid CSS selector", "invalid_selector", permanent=True
            ) from None

    def _finish_image(self, raw: bytes, title: str, warnings: list[str]) -> RenderedPdf:
        self._check_size(len(raw))
        return RenderedPdf(content=raw, title=title, pages=1, warnings=tuple(warnings))

    async def _finish(self, raw: bytes, title: str, url: str, warnings: list[str]) -> RenderedPdf:
        self._check_size(len(raw))
        # Parsing a big PDF takes a while; keep the loop free for the other jobs.
        finished = await asyncio.get_running_loop().run_in_executor(None, stamp_metadata, raw, title, url)
        if finished.pages > self._max_pdf_pages:
            raise failures.too_large(f"{finished.pages} pages, over the limit of {self._max_pdf_pages} pages")
        self._check_size(len(finished.content))
        facts = PdfFacts(pages=finished.pages, bytes=len(finished.content), outline_entries=finished.outline_entries)
        return RenderedPdf(
            content=finished.content,
            title=title,
            pages=finished.pages,
            warnings=tuple(warnings),
            report=RenderReport(pdf=facts),
        )

    def _check_size(self, size: int) -> None:
        if size > self._max_pdf_bytes:
            raise failures.too_large(f"{_megabytes(size)} MB, over the limit of {_megabytes(self._max_pdf_bytes)} MB")

    async def _close_context(
        self, context: BrowserContext, generation: BrowserGeneration, log_extra: dict[str, Any]
    ) -> None:
        try:
            await asyncio.wait_for(context.close(), self._close_timeout)
        except (TimeoutError, PlaywrightError) as exc:
            generation.mark_broken()  # let the supervisor kill the browser rather than leak pages
            logger.warning("Browser context did not close", extra={**log_extra, "error": str(exc)})


def _raise_if_blocked(guard: Guard, *urls: str) -> None:
    """Raise when the guard refused the navigation to any of ``urls`` (http(s) ones only:
    after a failure the page sits on about:blank or an error page)."""
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            continue
        blocked = guard.blocked_navigation(url)
        if blocked is not None:
            raise failures.egress_refusal(blocked)


class _MainDocumentResponses:
    """Remembers the last response to a main-frame navigation (goto may fail after one)."""

    def __init__(self, page: Page) -> None:
        self._page = page
        self.last: Response | None = None
        page.on("response", self._seen)

    def _seen(self, response: Response) -> None:
        if response.request.is_navigation_request() and response.frame == self._page.main_frame:
            self.last = response


def _valid_text(text: str) -> str:
    """``text`` without lone UTF-16 surrogates, which a page's title may carry and no PDF,
    S3 or DynamoDB can store."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _blocked_warning(count: int) -> str:
    if count == 1:
        return "1 request to a non-public address was blocked"
    return f"{count} requests to non-public addresses were blocked"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
