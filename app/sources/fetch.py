"""A careful HTTP client for feeds, e-paper pages and articles, with its bodies cached by URL.

What "careful" means here, and why:
- only http and https; every redirect hop is checked like the first URL, and there are at most
  ``max_redirects`` of them (a loop is named as one);
- the host is resolved once and the connection made to the address that was checked, so a name that
  resolves to a public address for the check and to 127.0.0.1 for the connection cannot slip through;
  where ``allow_private`` is off (the viewer), loopback, link-local, private and reserved addresses
  are refused: a shared viewer must not become a way into its own network;
- timeouts, a few retries with backoff on timeouts, lost connections, 429 and 5xx (never on 4xx);
- at most ``per_host`` requests in flight to one host, and ``delay`` seconds between two of them;
- a size cap on what comes over the wire and again on what gzip/deflate inflate it to (a gzip bomb
  of a few kB must not become gigabytes in memory);
- a User-Agent that says what is asking;
- bodies cached by URL (in the store, or in memory) with their ETag/Last-Modified: a cached body
  younger than ``max_age`` costs no request, an older one is revalidated, and ``offline`` uses only
  the cache.
Every failure is an ``InputError`` naming the URL, one line.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from zhaiyao.errors import InputError
from zhaiyao.sources.charset import decode_declared

USER_AGENT = "Zhaiyao/0.1 (news summariser; +https://github.com/zhaiyao/zhaiyao)"
_REDIRECTS = (301, 302, 303, 307, 308)
_RETRY_STATUS = (429, 500, 502, 503, 504)
_ACCEPT = "application/rss+xml, application/atom+xml, application/xml, text/html;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 15.0  # seconds for connecting and for each read
    retries: int = 2  # tries after the first, on timeouts, lost connections, 429 and 5xx
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    per_host: int = 2  # requests in flight to one host
    delay: float = 0.5  # seconds between the starts of two requests to one host
    max_bytes: int = 20 * 1024 * 1024  # over the wire, and again after inflating
    max_redirects: int = 5
    allow_private: bool = True  # the command line fetches what its user asks; the viewer does not
    offline: bool = False  # only the cache
    max_age: float = 24 * 3600.0  # seconds a cached body is used without asking the server
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Response:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: float = 0.0  # time.time() of the last request that confirmed this body
    from_cache: bool = False

    def text(self) -> tuple[str, str]:
        """The body as text, and the charset used (header, meta or XML declaration, the bytes)."""
        return decode_declared(self.url, self.body, self.content_type)


class UrlCache(Protocol):
    """Where fetched bodies are kept: the store (through ``zhaiyao.sources.inputs.StoreCache``) or
    ``MemoryCache``."""

    def get_url(self, url: str) -> Response | None: ...

    def put_url(self, response: Response) -> None: ...


class MemoryCache:
    """A cache for one process (the store's survives it)."""

    def __init__(self) -> None:
        self._items: dict[str, Response] = {}
        self._lock = threading.Lock()

    def get_url(self, url: str) -> Response | None:
        with self._lock:
            return self._items.get(url)

    def put_url(self, response: Response) -> None:
        with self._lock:
            self._items[response.url] = response


def is_url(spec: str) -> bool:
    """Whether an input names a URL (any scheme: ``file://`` is a URL to refuse, not a path)."""
    head, sep, _ = spec.partition("://")
    return bool(sep) and head.isascii() and head.replace("+", "").replace("-", "").replace(".", "").isalnum()


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL; anything else is an InputError saying why."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InputError(url, f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(url, f"only http and https URLs are fetched ({scheme or 'no scheme'}:// refused)")
    if not parts.hostname:
        raise InputError(url, "the URL names no host")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def address_problem(ip: str) -> str | None:
    """What makes an address one a shared viewer must not reach, or None for a public one."""
    addr = ipaddress.ip_address(ip.split("%")[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return "a loopback address"
    if addr.is_link_local:
        return "a link-local address"
    if addr.is_private:
        return "a private address"
    if addr.is_multicast or addr.is_reserved or addr.is_unspecified or not addr.is_global:
        return "a reserved address"
    return None


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # IPv4 first: a name like localhost often lists ::1 first while the server listens on 127.0.0.1.
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to next time."""

    ip = ""

    def connect(self) -> None:
        self.sock = socket.create_connection((self.ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    ip = ""

    def connect(self) -> None:
        sock = socket.create_connection((self.ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _Retry(Exception):
    """A failure worth another try (timeout, lost connection, 429, 5xx)."""


class _HostGate:
    """At most ``per_host`` requests in flight to one host, their starts ``delay`` apart."""

    def __init__(self, per_host: int, delay: float) -> None:
        self.slots = threading.BoundedSemaphore(max(1, per_host))
        self.delay = delay
        self.lock = threading.Lock()
        self.next_start = 0.0

    def __enter__(self) -> _HostGate:
        self.slots.acquire()
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.delay
        if start > now:
            time.sleep(start - now)
        return self

    def __exit__(self, *exc: object) -> None:
        self.slots.release()


class Fetcher:
    """GETs under a ``FetchPolicy``, through a ``UrlCache``. Safe to share between threads.

    ``blocked`` decides which addresses are refused when ``allow_private`` is off (tests narrow it to
    one address); ``requests`` counts what actually went over the network.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        cache: UrlCache | None = None,
        blocked: Callable[[str], str | None] = address_problem,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.cache: UrlCache = cache if cache is not None else MemoryCache()
        self.blocked = blocked
        self.requests = 0
        self._gates: dict[str, _HostGate] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Response:
        """The body of ``url``: from the cache when fresh (or offline), else fetched and cached."""
        check_url(url)
        cached = self.cache.get_url(url)
        policy = self.policy
        if cached is not None and (policy.offline or time.time() - cached.fetched_at < policy.max_age):
            return replace(cached, from_cache=True)
        if policy.offline:
            raise InputError(url, "not in the URL cache, and --offline fetches nothing")
        response = self._follow(url, cached)
        self.cache.put_url(response)
        return response

    def get_many(self, urls: Sequence[str], workers: int = 4) -> list[Response | InputError]:
        """``get`` for each URL, in parallel (the per-host limit still holds), results in order."""

        def one(url: str) -> Response | InputError:
            try:
                return self.get(url)
            except InputError as exc:
                return exc

        if len(urls) <= 1:
            return [one(u) for u in urls]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, urls))

    def _follow(self, url: str, cached: Response | None) -> Response:
        seen = {url}
        target = url
        for _ in range(self.policy.max_redirects + 1):
            status, headers, body = self._request(url, target, cached if target == url else None)
            if status in _REDIRECTS and headers.get("location"):
                nxt = urljoin(target, headers["location"])
                if nxt in seen:
                    raise InputError(url, f"redirect loop ({target} → {nxt}, which was already visited)")
                seen.add(nxt)
                target = nxt
                continue
            if status == 304 and cached is not None:
                return replace(cached, fetched_at=time.time(), from_cache=True)
            if status >= 400:
                raise InputError(url, f"HTTP {status} {http.client.responses.get(status, '')}".rstrip())
            return Response(
                url=url,
                final_url=target,
                status=status,
                content_type=headers.get("content-type", ""),
                body=body,
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
                fetched_at=time.time(),
            )
        raise InputError(url, f"too many redirects (more than {self.policy.max_redirects})")

    def _request(self, url: str, target: str, cached: Response | None) -> tuple[int, dict[str, str], bytes]:
        """One hop, with retries: (status, lower-cased headers, inflated body)."""
        scheme, host, port = check_url(target)
        ip = self._address(url, host, port)
        headers = {
            "User-Agent": self.policy.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        }
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        tries = self.policy.retries + 1
        problem = ""
        for attempt in range(tries):
            if attempt:
                time.sleep(self.policy.backoff * 2 ** (attempt - 1))
            try:
                with self._gate(host):
                    return self._once(url, scheme, host, port, ip, target, headers)
            except _Retry as exc:
                problem = str(exc)
        raise InputError(url, f"{problem} (gave up after {tries} {'try' if tries == 1 else 'tries'})")

    def _address(self, url: str, host: str, port: int) -> str:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise InputError(url, f"cannot resolve host {host}: {exc}") from None
        if not self.policy.allow_private:
            for ip in addresses:
                why = self.blocked(ip)
                if why:
                    raise InputError(
                        url, f"refused: {host} is {why} ({ip}); the allow_private_urls setting allows it"
                    )
        if not addresses:
            raise InputError(url, f"cannot resolve host {host}")
        return addresses[0]

    def _gate(self, host: str) -> _HostGate:
        with self._lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _HostGate(self.policy.per_host, self.policy.delay)
            return gate

    def _once(
        self, url: str, scheme: str, host: str, port: int, ip: str, target: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        conn_type = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        conn = conn_type(host, port, timeout=self.policy.timeout)
        conn.ip = ip
        parts = urlsplit(target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            with self._lock:
                self.requests += 1
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            status = resp.status
            got = {k.lower(): v for k, v in resp.getheaders()}
            if status in _RETRY_STATUS:
                raise _Retry(f"HTTP {status} {resp.reason}".rstrip())
            body = _read_body(url, resp, self.policy) if status < 300 else b""
            return status, got, body
        except TimeoutError:
            raise _Retry(f"timed out after {self.policy.timeout:g}s") from None
        except ssl.SSLError as exc:
            raise InputError(url, f"TLS error: {exc.reason or exc}") from None
        except (http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise _Retry(f"connection failed: {reason}") from None
        finally:
            conn.close()


def _mb(n: float) -> str:
    return f"{n / 1048576:.1f} MB"


def _read_body(url: str, resp: http.client.HTTPResponse, policy: FetchPolicy) -> bytes:
    """The body, refused as soon as it passes the cap, then inflated under the same cap."""
    cap = policy.max_bytes
    length = resp.getheader("content-length")
    if length and length.isdigit() and int(length) > cap:
        raise InputError(url, f"body is {_mb(int(length))}, over the {_mb(cap)} limit (max_file_mb)")
    deadline = time.monotonic() + policy.timeout * 4  # a server dripping bytes must not hold us forever
    chunks: list[bytes] = []
    size = 0
    while chunk := resp.read(min(1 << 16, cap + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            raise InputError(url, f"body is over the {_mb(cap)} limit (max_file_mb); stopped reading")
        if time.monotonic() > deadline:
            raise _Retry(f"body still arriving after {policy.timeout * 4:g}s")
    return _inflate(url, b"".join(chunks), (resp.getheader("content-encoding") or "").lower(), cap)


def _inflate(url: str, data: bytes, encoding: str, cap: int) -> bytes:
    if encoding in ("", "identity"):
        return data
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise InputError(url, f"unsupported Content-Encoding {encoding!r}")
    # deflate is zlib-wrapped by the standard, raw in practice from some servers: try both.
    modes = [16 + zlib.MAX_WBITS] if "gzip" in encoding else [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    for wbits in modes:
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(data, cap + 1)
        except zlib.error as exc:
            problem = str(exc)
            continue
        if len(out) > cap or inflater.unconsumed_tail:
            raise InputError(
                url, f"body inflates to more than the {_mb(cap)} limit (max_file_mb): a gzip bomb?"
            )
        return out
    raise InputError(url, f"corrupt {encoding} body: {problem}")
