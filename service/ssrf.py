"""Only send webhooks and fetch images to public http(s) addresses, and connect to the address
that was checked.

The host name is resolved once and every address it resolves to must be public: loopback,
private, link-local, multicast, reserved and unspecified addresses are refused unless the operator
allows private targets. The connection then goes to the checked address itself (pinned), with the
``Host`` header, TLS SNI and certificate check still naming the host: a DNS answer that changes
between the check and the connection (rebinding) cannot reach an internal address. Redirects are
never followed, so a public URL cannot bounce a request inward.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3


class UnsafeURL(ValueError):
    """The URL may not be used as a target; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (``address``) and what to call the host."""

    scheme: str
    hostname: str
    port: int
    address: str
    path: str  # path and query, as sent in the request line

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return name if self.port == default else f"{name}:{self.port}"


def check_url(url: str, *, allow_private: bool) -> Target:
    """Resolve ``url``'s host once and check every address; the target pins the first one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("only http and https URLs are allowed")
    if not parts.hostname:
        raise UnsafeURL("the URL has no host")
    if parts.username or parts.password:
        raise UnsafeURL("credentials in the URL are not allowed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as err:
        raise UnsafeURL(f"the host does not resolve: {err}") from None
    if not infos:
        raise UnsafeURL("the host does not resolve")
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not allow_private and (not address.is_global or address.is_multicast):
            raise UnsafeURL(f"{parts.hostname} resolves to {address}, which is not a public address")
        addresses.append(str(address))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, addresses[0], path)


def pinned_request(
    method: str,
    url: str,
    *,
    allow_private: bool,
    timeout_s: float,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> urllib3.BaseHTTPResponse:
    """Check ``url`` and send one request to the checked address; no redirects, no retries. The
    response is not preloaded: read it with ``.stream()`` and release it with ``.release_conn()``."""
    target = check_url(url, allow_private=allow_private)
    timeout = urllib3.Timeout(connect=timeout_s, read=timeout_s)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.hostname,
            assert_hostname=target.hostname,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            timeout=timeout,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False)
    sent = {**(headers or {}), "Host": target.host_header}
    try:
        return pool.urlopen(
            method, target.path, body=body, headers=sent, redirect=False, retries=False, preload_content=False
        )
    finally:
        pool.close()  # the response keeps its own connection until read
