"""aiohttp's `web`, as the simulators import it: without the two client TLS contexts aiohttp
builds when it is imported.

aiohttp.connector makes its default client contexts at import time, each with the system's
trust store read in (144 CA certificates here): 2.5 MiB for as long as the process runs
(measured: the training window's peak resident memory 118.6 → 115.8 MiB). The simulators only
serve plain HTTP on a loopback port and nothing in the app uses aiohttp's client, so the
contexts are replaced at once with equivalent ones that cost nothing until a connection uses
them: the verifying one reads the same trust store (`load_default_certs`, as
`ssl.create_default_context` does) the first time it wraps a connection; the other one never
verifies, so it needs no trust store at all. Verification is never weakened.
"""

from __future__ import annotations

import ssl
import sys
import threading
from typing import Any

import aiohttp.connector
from aiohttp import web

__all__ = ["web"]


class CertificatesOnFirstUse(ssl.SSLContext):
    """`ssl.create_default_context()`, but the trust store is read when the context first wraps
    a connection (asyncio calls `wrap_bio`, blocking sockets `wrap_socket`)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> CertificatesOnFirstUse:
        context = super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, host names checked
        if sys.version_info >= (3, 13):  # as create_default_context sets them there
            context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN | ssl.VERIFY_X509_STRICT
        return context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._read_lock = threading.Lock()
        self.store_read = False

    def _read_store(self) -> None:
        with self._read_lock:
            if not self.store_read:
                self.load_default_certs(ssl.Purpose.SERVER_AUTH)
                self.store_read = True

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._read_store()
        return super().wrap_bio(*args, **kwargs)

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._read_store()
        return super().wrap_socket(*args, **kwargs)


def _unverified() -> ssl.SSLContext:
    """aiohttp's context for `ssl=False`, without the trust store it never consults."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.options |= ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3 | ssl.OP_NO_COMPRESSION
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(("http/1.1",))
    return context


def _lighter_client_contexts() -> None:
    if isinstance(getattr(aiohttp.connector, "_SSL_CONTEXT_VERIFIED", None), ssl.SSLContext):
        verified = CertificatesOnFirstUse()
        verified.set_alpn_protocols(("http/1.1",))
        aiohttp.connector._SSL_CONTEXT_VERIFIED = verified
        aiohttp.connector._SSL_CONTEXT_UNVERIFIED = _unverified()


_lighter_client_contexts()
