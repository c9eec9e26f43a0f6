"""Deploy test kit: real git repositories (a bare one as the remote), an inline project on
site/outbox/webhook, and a real webhook receiver (stdlib ``http.server`` in a thread) that
keeps its own log of what it received and can fail, throttle, stall or be killed mid-request.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec-Zq8xT4vK2pL9mN7r"
#: 2026-12-01 10:30 in Paris: 'a' (09:00) and 'b' (10:00) are due, 'old' is missed.
NOW = "2026-12-01T10:30:00+01:00"
NOW_DT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

CONFIG = """\
site:
  title: Test Café
  url: https://cafe.example
timezone: Europe/Paris
defaults:
  channels: [site, outbox, webhook]
channels:
  site: {{}}
  outbox: {{}}
  webhook: {{url: "{url}"}}
{extra}deploy:
  catch_up: 6h
  push: true
"""


def post(title: str, date: str, *, status: str = "ready", channels: str | None = None) -> str:
    """A post file's text."""
    extra = f"channels: [{channels}]\n" if channels else ""
    return (
        f"---\ntitle: {title}\ndate: {date}\nstatus: {status}\n{extra}"
        f'summary: "{title}: a short note from the café."\n---\nBody of {title}.\n'
    )


POSTS = {
    "content/a.md": post("Alpha", "2026-12-01 09:00"),
    "content/b.md": post("Bravo", "2026-12-01 10:00"),
    "content/future.md": post("Future", "2026-12-05 09:00"),
    "content/old.md": post("Old", "2026-11-20 09:00"),
    "content/draft.md": post("Draft", "2026-12-01 08:00", status="draft"),
}

# ----------------------------------------------------------------------------- git


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; return its standard output."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=git_env()
    )
    return done.stdout


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "CMPUB_"))}
    env.update(
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.com",
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def make_repo(
    base: Path,
    url: str,
    posts: dict[str, str] | None = None,
    remote: bool = True,
    channels: str = "",
) -> Path:
    """A committed project at ``base/work`` (and ``base/remote.git`` as its origin)."""
    root = base / "work"
    root.mkdir(parents=True)
    files = {
        "cmpub.yaml": CONFIG.format(url=url, extra=channels),
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
    if remote:
        bare = base / "remote.git"
        git(base, "init", "-q", "--bare", "-b", "main", str(bare))
        git(root, "remote", "add", "origin", str(bare))
        git(root, "push", "-q", "-u", "origin", "main")
    return root


def clone(base: Path, name: str) -> Path:
    """A second checkout of ``base/remote.git``."""
    dest = base / name
    git(base, "clone", "-q", str(base / "remote.git"), str(dest))
    git(dest, "config", "user.name", "Test")
    git(dest, "config", "user.email", "test@example.com")
    return dest


def log(root: Path, ref: str = "HEAD") -> list[str]:
    """Commit subjects, newest first."""
    return git(root, "log", "--format=%s", ref).splitlines()


def records(root: Path) -> dict[str, dict[str, Any]]:
    """The ledger files of ``root`` by relative path."""
    base = root / "ledger"
    if not base.is_dir():
        return {}
    return {
        p.relative_to(base).as_posix(): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(base.rglob("*.json"))
    }


def outbox_journal(root: Path) -> list[dict[str, Any]]:
    """Every payload the outbox actually wrote (one line per write)."""
    path = root / "dist" / "outbox" / "journal.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ----------------------------------------------------------------------------- the receiver


@dataclass
class Answer:
    """One scripted answer: status, headers, body, and how long to wait first."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    create: bool | None = None  # keep the post? (default: when the status is 2xx)


@dataclass
class Received:
    method: str
    key: str
    body: dict[str, Any] | None
    signature_ok: bool
    created: bool
    at: float


class Receiver:
    """A webhook receiver with its own log (the truth for "was it sent twice?")."""

    def __init__(self, lookup: bool = False) -> None:
        self.lookup = lookup
        self.log: list[Received] = []
        self.script: list[Answer] = []
        self.created: dict[str, int] = {}  # idempotency key -> times created (2+ = duplicate)
        self.in_flight = threading.Event()
        self.release = threading.Event()
        self.stall = False  # hold every POST (after keeping it) until released
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                key = self.headers.get("Idempotency-Key", "")
                with receiver.lock:
                    receiver.log.append(Received("GET", key, None, True, False, time.monotonic()))
                if not receiver.lookup:
                    self._send(405, {"error": "method not allowed"})
                elif receiver.created.get(key):
                    self._send(200, {"cmpub_lookup": "found", "id": f"msg-{key[:8]}"})
                else:
                    self._send(200, {"cmpub_lookup": "absent"})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = self.headers.get("Idempotency-Key", "")
                expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
                ok = hmac.compare_digest(expected, self.headers.get("X-Cmpub-Signature", ""))
                with receiver.lock:
                    scripted = bool(receiver.script)
                    answer = receiver.script.pop(0) if scripted else Answer()
                    if not ok and not scripted:
                        answer = Answer(401, body={"error": "bad signature"})
                    create = answer.status < 300 if answer.create is None else answer.create
                    if create:
                        receiver.created[key] = receiver.created.get(key, 0) + 1
                    receiver.log.append(
                        Received("POST", key, json.loads(raw), ok, create, time.monotonic())
                    )
                if receiver.stall:
                    receiver.in_flight.set()
                    receiver.release.wait(20)
                if answer.delay:
                    time.sleep(answer.delay)
                body = answer.body
                if body is None:
                    ok_body = {"id": f"msg-{key[:8]}"}
                    body = (
                        ok_body
                        if answer.status < 300
                        else {"error": HTTPStatus(answer.status).phrase}
                    )
                with contextlib.suppress(OSError):  # the client gave up, or was killed
                    self._send(answer.status, body, answer.headers)

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def posts(self) -> list[Received]:
        return [r for r in self.log if r.method == "POST"]

    def duplicates(self) -> dict[str, int]:
        """Keys the receiver kept more than once."""
        return {k: n for k, n in self.created.items() if n > 1}


# ----------------------------------------------------------------------------- the CLI


def cmpub_env(extra: dict[str, str] | None = None, secret: bool = True) -> dict[str, str]:
    env = git_env()
    if secret:
        env["CMPUB_WEBHOOK_SECRET"] = SECRET
    env.update(extra or {})
    return env


def run_cli(
    root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``cmpub deploy`` (or any command) in a real subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "cmpub", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=env or cmpub_env(),
        timeout=timeout,
    )


def start_cli(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cmpub", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or cmpub_env(),
    )


def published(base: Path, url: str) -> Path:
    """A project (``base/work``, pushed to ``base/remote.git``) whose due posts went out
    through a real ``cmpub deploy``: 'a' and 'b' on site, outbox and webhook."""
    root = make_repo(base, url, {k: v for k, v in POSTS.items() if k != "content/old.md"})
    done = run_cli(root, "deploy", "--now", NOW)
    assert done.returncode == 0, done.stdout + done.stderr
    return root


def all_files_text(*folders: Path) -> Iterator[tuple[Path, str]]:
    """Every file under ``folders`` (git objects uncompressed via their text form excluded)."""
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "/objects/" not in path.as_posix():
                yield path, path.read_bytes().decode("utf-8", "replace")
