"""Everything that keeps one job's browser context away from non-public destinations.

Two layers, so that one mistake is not enough:

1. ``PinningProxy`` (converter/egress_proxy.py): the context's only way out. It vets and
   pins every connection, subresources and redirect hops included.
2. Navigations are vetted before they leave: a refused navigation keeps a loaded page from
   being replaced (``DocumentInterceptor``, which pauses documents only: pausing every
   request costs a quarter of a conversion's CPU and the proxy already refuses them),
   schemes that are not http(s) are refused, pop-ups are closed. WebSockets meet the proxy
   alone (Chromium tunnels them through it like any connection): Playwright's WebSocket
   routing replaced the page's WebSocket with a script mock in every document and cost
   50-170 ms of CPU per conversion for a refusal the proxy makes anyway.

Service workers are blocked (Playwright's ``service_workers="block"``; whatever one fetched
would still meet the proxy) and WebRTC may only use proxied transports.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, ClassVar

from chalicelib.domain.errors import InvalidInput
from chalicelib.egress import Blocked, EgressPolicy, RefusalKind
from converter.document_interceptor import DocumentInterceptor, Verdict
from converter.egress_proxy import BlockedRequest, PinningProxy

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page, Request

__all__ = ["BlockedRequest", "EgressGuard"]

log = logging.getLogger(__name__)


# WebRTC could reach addresses over UDP outside the proxy; a PDF never needs it.
_NO_WEBRTC = """
for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel"]) {
  try { Object.defineProperty(globalThis, name, { value: undefined, configurable: false }); } catch (e) {}
}
"""


class EgressGuard:
    """One per browser context (per job): a loopback forward proxy that resolves, checks and
    dials only the checked IP, plus Playwright routing as a second layer."""

    #: Chromium flags the guard relies on; add them to the browser's launch arguments.
    LAUNCH_ARGS: ClassVar[list[str]] = [
        # Loopback and link-local must go through the proxy too (Chromium bypasses them
        # implicitly). Per-context proxies carry this as well; this covers a global one.
        "--proxy-bypass-list=<-loopback>",
        # WebRTC may only use UDP it can proxy (i.e. none): no direct UDP to anywhere.
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        # QUIC is UDP; everything must be TCP through the proxy.
        "--disable-quic",
        # Chromium must never resolve names itself: the proxy does, and pins the answer.
        # The proxy is reached by IP literal, which these rules exclude.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ]

    def __init__(self, policy: EgressPolicy) -> None:
        self._policy = policy
        self.blocked: list[BlockedRequest] = []
        self._proxy = PinningProxy(policy, self._record)
        self._verdicts: dict[tuple[str, int], Blocked | None] = {}
        # (host, port) of a main-frame navigation's first request -> every hop it went to.
        self._navigation_hops: set[tuple[str, int]] = set()
        self._main_page: Page | None = None  # the first page of the context: the one being printed
        self._main_loaded = False  # once it has loaded, leaving it is refused by staying
        self._excused: set[str] = set()

    async def __aenter__(self) -> EgressGuard:
        await self._proxy.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._proxy.close()

    @property
    def dialled(self) -> list[tuple[str, str, int]]:
        """(host, address, port) of every connection the proxy attempted."""
        return self._proxy.dialled

    @property
    def context_options(self) -> dict[str, Any]:
        return {
            # An explicit <-loopback> so this holds even if Playwright stops adding it.
            "proxy": {"server": f"http://127.0.0.1:{self._proxy.port}", "bypass": "<-loopback>"},
            "service_workers": "block",
            "accept_downloads": False,
        }

    async def attach(self, context: BrowserContext, page: Page) -> None:
        """Guard ``context`` and its first ``page`` (the one to print), before it navigates."""
        await context.add_init_script(_NO_WEBRTC)
        context.on("page", self._watch_page)
        context.on("request", self._track_navigation)
        for existing in context.pages:
            self._watch_page(existing)
        await DocumentInterceptor(self._decide_navigation).start(context, page)

    def blocked_navigation(self, url: str) -> BlockedRequest | None:
        """Why the main document was refused, if it was: url itself, or any place the main
        frame went to on the way (redirect hops, meta refresh, script navigations)."""
        try:
            target = self._policy.parse_origin(url)
        except InvalidInput as exc:
            return BlockedRequest(url, "", 0, exc.message)
        hops = {(target.host, target.port)} | self._navigation_hops
        return next((b for b in self.blocked if (b.host, b.port) in hops), None)

    # --- bookkeeping ------------------------------------------------------------------

    def excuse(self, host: str) -> None:
        """The page answers requests to ``host`` itself (see html_source): the proxy's refusals
        of Chromium's speculative connections there blocked nothing the page asked for."""
        self._excused.add(host)

    def _record(self, refused: BlockedRequest) -> None:
        if refused.host in self._excused:
            return
        self.blocked.append(refused)
        log.info("egress blocked %s: %s", refused.url[:200], refused.reason)

    def _in_main_frame(self, request: Request) -> bool:
        try:
            frame = request.frame
        except Exception:  # a pop-up's first request has no frame yet; it is not the main one
            return False
        return self._main_page is not None and frame == self._main_page.main_frame

    def _track_navigation(self, request: Request) -> None:
        """Remember every origin the main frame navigated to, redirect hops included (the
        proxy refuses those hops; routing never sees them)."""
        if request.is_navigation_request() and not self._main_loaded and self._in_main_frame(request):
            hop = _origin(self._policy, request.url)
            if hop:
                self._navigation_hops.add(hop)

    def _watch_page(self, page: Page) -> None:
        if self._main_page is None:
            self._main_page = page
            page.once("load", self._on_main_load)
        page.on("popup", self._close_popup)

    def _on_main_load(self, _page: Page) -> None:
        self._main_loaded = True

    async def _close_popup(self, popup: Page) -> None:
        self._record(BlockedRequest(popup.url, "", 0, "pop-up windows are not rendered"))
        try:
            await popup.close()
        except Exception as exc:  # already gone with its opener: nothing left to close
            log.debug("closing pop-up failed: %r", exc)

    # --- the routing layer --------------------------------------------------------------

    async def _verdict(self, url: str) -> tuple[str, int, Blocked | None]:
        """(host, port, refusal-or-None) for an http(s) URL, cached per origin for this job."""
        try:
            target = self._policy.parse_origin(url)
        except InvalidInput as exc:
            return "", 0, Blocked(exc.message)
        key = (target.host, target.port)
        if key not in self._verdicts:
            loop = asyncio.get_running_loop()
            try:
                await asyncio.wait_for(loop.run_in_executor(None, self._policy.resolve, target.host, target.port), 5.0)
                self._verdicts[key] = None
            except Blocked as exc:
                self._verdicts[key] = exc
            except TimeoutError:
                self._verdicts[key] = Blocked(f"{target.host} did not resolve in time", RefusalKind.LOOKUP_TIMEOUT)
        return target.host, target.port, self._verdicts[key]

    async def _decide_navigation(self, url: str, main_frame: bool) -> Verdict:
        host, port, refusal = await self._verdict(url)
        if refusal is None or host in self._excused:  # an excused host is answered by the page's own route
            return Verdict.CONTINUE
        self._record(BlockedRequest(url, host, port, refusal.reason, refusal.kind))
        if self._main_loaded or not main_frame:
            # "No Content" ends the navigation and leaves the frame, or the loaded page, as
            # it was: a page that later tries to leave (meta refresh...) is still printed.
            return Verdict.NO_CONTENT
        # The main document, or the page leaving while it loads (a script redirect), is
        # refused: the navigation fails and blocked_navigation() says why.
        return Verdict.FAIL


def _origin(policy: EgressPolicy, url: str) -> tuple[str, int] | None:
    try:
        target = policy.parse_origin(url)
    except InvalidInput:
        return None
    return target.host, target.port
