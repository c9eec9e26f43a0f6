"""Kit of the network fault tests (test_faults_networks.py): a project in git that publishes to
Bluesky or Mastodon only, the servers' own records, a proxy in front of the real PDS and a
Mastodon fake that can hold an answer, so that a test can kill ``cmpub deploy`` while a request
it sent is stored on the server and its answer is not back yet.

- :class:`PdsProxy` forwards everything to the real PDS; for the n-th ``createRecord`` it can
  forward, then hold the answer (``stall``: the test kills the deploy meanwhile), drop the
  connection without an answer (``drop``), or answer late (``delay``: a client timeout);
- :class:`HoldingMastodon` is ``tests/support/servers/mastodon_fake.py`` plus a hold after the n-th
  stored status and a time on every request (to measure a ``Retry-After`` wait);
- :func:`new_account`, :func:`bluesky_posts`: a fresh PDS account per test, and its posts as
  ``com.atproto.repo.listRecords`` gives them.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.support.deploy import git
from tests.support.servers.mastodon_fake import FakeMastodon

#: 2026-12-01 10:30 in Paris: 'a' (09:00), 't' (09:30, a 2-part thread) and 'b' (10:00) are due.
NOW = "2026-12-01T10:30:00+01:00"

CONFIG = """\
site:
  title: Test Café
  url: https://cafe.example
timezone: Europe/Paris
defaults:
  channels: [{channel}]
channels:
  {channel}: {settings}
deploy:
  catch_up: 6h
  push: true
"""


def post(title: str, date: str, summary: str, *, thread: bool = False) -> str:
    """A post file's text."""
    extra = "thread: true\n" if thread else ""
    return (
        f"---\ntitle: {title}\ndate: {date}\nstatus: ready\n{extra}"
        f'summary: "{summary}"\n---\nBody of {title}.\n'
    )


#: Long enough to make 2 parts on Bluesky (300 graphemes) and on Mastodon (500).
THREAD_TEXT = " ".join(f"Sentence {i} about our new roast." for i in range(16))

POSTS = {
    "content/a.md": post("Alpha", "2026-12-01 09:00", "Alpha: a short note from the café."),
    "content/t.md": post("Thread", "2026-12-01 09:30", THREAD_TEXT, thread=True),
    "content/b.md": post("Bravo", "2026-12-01 10:00", "Bravo: a short note from the café."),
}
#: The items in publication order: (post, part) = the ledger file ``<post>/<channel>-<part>``.
ORDER = [("a", 0), ("t", 0), ("t", 1), ("b", 0)]


def make_repo(base: Path, channel: str, settings: str, posts: dict[str, str] | None = None) -> Path:
    """A committed project at ``base/work`` publishing to ``channel`` only, with
    ``base/remote.git`` as its origin."""
    root = base / "work"
    root.mkdir(parents=True)
    files = {
        "cmpub.yaml": CONFIG.format(channel=channel, settings=settings),
        ".gitignore": "dist/\n.cmpub-cache/\n",
        **(POSTS if posts is None else posts),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the project")
    bare = base / "remote.git"
    git(base, "init", "-q", "--bare", "-b", "main", str(bare))
    git(root, "remote", "add", "origin", str(bare))
    git(root, "push", "-q", "-u", "origin", "main")
    return root


def leaked(secret: str, root: Path, *texts: str) -> list[str]:
    """Where ``secret`` shows up: in ``texts`` (outputs, summaries), in the work tree outside
    the git-ignored session cache, or anywhere in the git history (every commit's patch)."""
    places = [f"text #{i}" for i, text in enumerate(texts) if secret in text]
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".git/", ".cmpub-cache/")) or not path.is_file():
            continue
        if secret in path.read_bytes().decode("utf-8", "replace"):
            places.append(rel)
    if secret in git(root, "log", "--all", "-p", "--format=%H %s%n%b"):
        places.append("git history")
    return places


# ----------------------------------------------------------------------------- Bluesky


@dataclass(frozen=True)
class Account:
    handle: str
    did: str
    password: str


def new_account(pds_url: str) -> Account:
    """A fresh account on the PDS (each test starts from an empty repository)."""
    handle = f"f{secrets.token_hex(5)}.test"
    password = secrets.token_urlsafe(12)
    response = httpx.post(
        f"{pds_url}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.com", "password": password},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return Account(handle, str(response.json()["did"]), password)


def bluesky_posts(pds_url: str, did: str) -> list[dict[str, Any]]:
    """Every ``app.bsky.feed.post`` record of ``did``, as the PDS lists them (all pages)."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"repo": did, "collection": "app.bsky.feed.post", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        response = httpx.get(
            f"{pds_url}/xrpc/com.atproto.repo.listRecords", params=params, timeout=30
        )
        assert response.status_code == 200, response.text
        data = response.json()
        found += data["records"]
        cursor = data.get("cursor")
        if not cursor or not data["records"]:
            return found


_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class PdsProxy:
    """A reverse proxy to the PDS (or any HTTP server: it records every request's method, path
    and ``time.monotonic()`` of arrival in :attr:`arrivals`); acts on the ``nth``
    ``createRecord`` per ``mode``:

    ``stall``: the PDS has stored the record, the answer is held until :attr:`release` (the
    test kills the client meanwhile); ``drop``: the record is stored, the connection is closed
    without an answer; ``delay``: the answer comes ``delay`` seconds late (a client timeout).
    """

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.mode: str | None = None
        self.nth = 1
        self.delay = 0.0
        self.creates = 0  # createRecord requests seen
        self.stored = threading.Event()  # the acted-on record is on the PDS
        self.release = threading.Event()
        self.calls: list[str] = []
        self.arrivals: list[tuple[str, str, float]] = []
        self.lock = threading.Lock()
        self.http = httpx.Client(base_url=self.target, timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _serve(self) -> None:
                nsid = self.path.split("?")[0].removeprefix("/xrpc/")
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy.lock:
                    proxy.arrivals.append((self.command, self.path, time.monotonic()))
                    proxy.calls.append(nsid)
                    act = None
                    if nsid == "com.atproto.repo.createRecord":
                        proxy.creates += 1
                        act = proxy.mode if proxy.creates == proxy.nth else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = proxy.http.request(self.command, self.path, headers=headers, content=raw)
                if act is not None:
                    proxy.stored.set()
                if act == "drop":
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if act == "stall":
                    proxy.release.wait(30)
                if act == "delay":
                    time.sleep(proxy.delay)
                with contextlib.suppress(OSError):  # the client gave up, or was killed
                    self.send_response(answer.status_code)
                    for name, value in answer.headers.items():
                        if name.lower() not in _HOP:
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.content)))
                    self.end_headers()
                    self.wfile.write(answer.content)

            do_GET = do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> PdsProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.http.close()

    def count(self, nsid: str) -> int:
        return sum(1 for c in self.calls if c == nsid)


# ----------------------------------------------------------------------------- Mastodon


class _Timed(list):  # type: ignore[type-arg]
    """The fake's request log, each request stamped with ``time.monotonic()`` on arrival."""

    def append(self, request: Any) -> None:
        request["at"] = time.monotonic()
        super().append(request)


class HoldingMastodon(FakeMastodon):
    """The Mastodon fake; with ``hold_at = n`` the n-th created status is stored, then its
    answer is held until :attr:`release` (the test kills the client meanwhile)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.requests = _Timed()
        self.hold_at: int | None = None
        self.created = 0
        self.stored = threading.Event()
        self.release = threading.Event()

    def handle(
        self, method: str, path: str, query: dict[str, Any], headers: Any, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        before = len(self.statuses)
        answer = super().handle(method, path, query, headers, body)
        hold = False
        with self._lock:
            if method == "POST" and path == "/api/v1/statuses" and len(self.statuses) > before:
                self.created += 1
                hold = self.created == self.hold_at
        if hold:
            self.stored.set()
            self.release.wait(30)
        return answer

    def stop(self) -> None:
        self.release.set()
        super().stop()

    def status_posts(self) -> list[dict[str, Any]]:
        """Every ``POST /api/v1/statuses`` the fake received (refused ones included)."""
        return [
            r for r in self.requests if r["method"] == "POST" and r["path"] == "/api/v1/statuses"
        ]


# ----------------------------------------------------------------------------- mastodon-mock


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_mastodon_mock(cwd: Path) -> Iterator[str]:
    """``mastodon_mock serve --in-memory`` on a free port (as test_mastodon_mock.py starts it)."""
    port = _free_port()
    exe = shutil.which("mastodon_mock", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "mastodon_mock"]
    args = ["serve", "--in-memory", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, *args, "--log-level", "warning"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/api/v1/instance", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mastodon-mock did not start (exit code {proc.poll()})")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def mock_user(url: str) -> tuple[str, str]:
    """A fresh account on the mock: (account id, access token)."""
    response = httpx.post(f"{url}/api/v1/_mock/dev_user", json={}, timeout=10)
    assert response.status_code == 200, response.text
    data = response.json()
    return str(data["id"]), str(data["access_token"])


def mock_statuses(url: str, token: str, account: str) -> list[dict[str, Any]]:
    """The account's statuses as the mock keeps them (all pages), oldest first."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 40}
    headers = {"Authorization": f"Bearer {token}"}
    while True:
        response = httpx.get(
            f"{url}/api/v1/accounts/{account}/statuses", params=params, headers=headers, timeout=10
        )
        assert response.status_code == 200, response.text
        page = response.json()
        if not page:
            return found[::-1]
        found += page
        params["max_id"] = page[-1]["id"]
