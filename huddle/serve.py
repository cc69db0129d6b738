"""`huddle serve`: the app in a browser, for desktops that cannot open a terminal and for
the meeting room's wall screen.

textual-serve runs one `python -m huddle --served` process per browser tab, each with its
own connection to the same SQLite file, exactly as two terminals would. It has no
authentication of its own: every tab starts at huddle's sign-in screen, and TLS and access
control belong to a reverse proxy in front (docs/serve.md). Wiring only: the app, the
sign-in and the store are the terminal app's.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import os
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

TEMPLATES = Path(__file__).parent / "templates"
"""Our copy of textual-serve's page: fonts from this server, not fonts.googleapis.com."""

PROXY_ADVICE = (
    "huddle serve has no TLS and no access control of its own: on any address but this "
    "computer's own (127.0.0.1), put a reverse proxy with TLS in front of it and let only "
    "your network reach it (docs/serve.md)"
)

# Environment a tab must not inherit: a served tab acts as the person who signs in, never
# as a name the server happened to be started with.
NOT_FOR_TABS = ("HUDDLE_USER",)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def tab_command(db: Path, imports: Path | None = None, idle_minutes: int | None = None) -> str:
    """The shell command textual-serve runs for each browser tab (it runs it through the
    shell, so every part is quoted: a database path may hold spaces)."""
    parts = [sys.executable, "-m", "huddle", "--db", str(db), "--served"]
    if imports is not None:
        parts += ["--imports", str(imports)]
    if idle_minutes is not None:
        parts += ["--idle-minutes", str(idle_minutes)]
    return shlex.join(parts)


def is_loopback(host: str) -> bool:
    """True when only this computer can reach `host`: localhost or a loopback address."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_refusal(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, in words; None when it can. Asked by
    binding a socket first, so a port in use is said before the server prints it started."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"cannot serve on {host!r}: no such address or host name ({error.strerror})"
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            # As aiohttp binds: a port left in TIME_WAIT by the last run is free to use.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                return bind_words(host, port, error)
    return None


def bind_words(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use (another program, or another huddle serve, "
            "is listening there): choose another with --port"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return f"cannot serve on {host}: it is not an address of this computer"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port}: ports below 1024 need privileges"
    return f"cannot serve on {host} port {port}: {error.strerror or error}"


def _netloc(url: str) -> str:
    """host[:port] as a browser sends it in Host and Origin: lower case, no default port."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def answered_at(public_url: str, host: str, port: int) -> frozenset[str]:
    """The host[:port] names this server answers to: its public URL's, and on loopback the
    names of this computer. A page from anywhere else (another site open in the same
    browser, or a name rebound to 127.0.0.1) is refused before it can open a tab's app."""
    names = {_netloc(public_url)}
    if is_loopback(host):
        names |= {f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"}
    else:
        names.add(_netloc(f"http://{host}:{port}"))
    return frozenset(names)


class HuddleServer(Server):
    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        public_url: str | None = None,
    ) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title="huddle",
            public_url=public_url,
            templates_path=TEMPLATES,
        )
        self.names = answered_at(self.public_url, host, port)
        self.tabs: set[asyncio.Task[object]] = set()
        """Each open tab's websocket handler, so that stopping the server ends them."""

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._same_site)
        return app

    @web.middleware
    async def _same_site(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """textual-serve accepts a websocket from any page: without this, a page on
        another site open in the same browser could drive a tab's app."""
        host = _netloc(f"http://{request.host}")
        origin = request.headers.get("Origin")
        if host not in self.names or (origin is not None and _netloc(origin) not in self.names):
            raise web.HTTPForbidden(
                text=f"huddle serve answers only at {self.public_url} (--public-url)\n"
            )
        return await handler(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        task = asyncio.current_task()
        assert task is not None
        self.tabs.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.tabs.discard(task)

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"huddle: serving on {self.public_url} (ctrl+c stops it)")

    async def on_shutdown(self, app: web.Application) -> None:
        # textual-serve leaves open tabs to aiohttp's shutdown timeout (tens of seconds,
        # longer than a service manager may wait); cancelled, each closes its websocket
        # and tells its app to quit, so a stop or a restart is prompt.
        for task in list(self.tabs):
            task.cancel()


def serve(
    db: Path,
    host: str,
    port: int,
    *,
    public_url: str | None = None,
    imports: Path | None = None,
    idle_minutes: int | None = None,
) -> str | None:
    """Serve until stopped. Returns why it could not start, in words, or None."""
    if not is_loopback(host) and public_url is None:
        # It would answer only at http://HOST:PORT, which is not what browsers will ask for.
        return (
            f"--host {host} is reachable from other computers: give --public-url, the address "
            "their browsers use (the proxy's, e.g. https://huddle.example.nhs.uk; docs/serve.md)"
        )
    if refusal := bind_refusal(host, port):
        return refusal
    if not is_loopback(host):
        print(f"huddle: {PROXY_ADVICE}", file=sys.stderr)
    for name in NOT_FOR_TABS:
        os.environ.pop(name, None)
    server = HuddleServer(tab_command(db, imports, idle_minutes), host, port, public_url)
    try:
        server.serve()
    except OSError as error:
        # Taken between the check and the start.
        return bind_words(host, port, error)
    return None
