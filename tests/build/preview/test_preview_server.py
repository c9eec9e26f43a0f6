"""The preview server as a real subprocess: pages, security (paths, hosts, methods), rebuilds."""

from __future__ import annotations

import http.client
import os
import time

import pytest

from tests.build.preview.conftest import LAUNCH, Preview

SECRET = b"site:"  # the first bytes of cmpub.yaml: must never be served


def test_pages_answer(preview: Preview) -> None:
    for path in ("/", "/calendar/", "/diagnostics/", "/post/launch/", "/site/", "/site/launch/"):
        status, headers, _body = preview.get(path)
        assert status == 200, path
        assert headers["Content-Type"].startswith("text/html")
    status, headers, _ = preview.get("/")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert preview.get("/post/nope/")[0] == 404
    assert preview.get("/calendar")[0] == 301


@pytest.mark.parametrize(
    "path",
    [
        "/../cmpub.yaml",
        "/site/../cmpub.yaml",
        "/site/../../cmpub.yaml",
        "/site/%2e%2e/cmpub.yaml",
        "/site/%2e%2e/%2e%2e/cmpub.yaml",
        "/site/..%2f..%2fcmpub.yaml",
        "/site/%2e%2e%2f%2e%2e%2fcmpub.yaml",
        "/site/%252e%252e/%252e%252e/cmpub.yaml",
        "/site/..\\..\\cmpub.yaml",
        "/site/%00/../cmpub.yaml",
        "/site//etc/passwd",
        "/site/media/../../../../cmpub.yaml",
        "/cmpub.yaml",
        "/content/2026/12/sondage.md",
        "/.cmpub-cache/build.pickle",
        "/_studio/../cmpub.yaml",
        "/_studio/studio.css.j2",
        "/post/../../cmpub.yaml",
    ],
)
def test_nothing_outside_the_build_is_served(preview: Preview, path: str) -> None:
    status, _, body = preview.get(path)
    assert status in (301, 400, 403, 404), (path, status)
    assert SECRET not in body[:200] and b"root:" not in body


def test_a_symlink_out_of_the_build_is_refused(preview: Preview) -> None:
    link = preview.out / "leak.yaml"
    folder = preview.out / "leakdir"
    try:
        os.symlink(preview.root / "cmpub.yaml", link)
        os.symlink(preview.root / "content", folder)
    except FileExistsError:
        pass
    assert preview.get("/site/leak.yaml")[0] == 404
    assert preview.get("/site/leakdir/2026/12/sondage.md")[0] == 404


def test_only_get_and_head(preview: Preview) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=5)
    conn.request("POST", "/", body=b"x")
    assert conn.getresponse().status == 405
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=5)
    conn.request("HEAD", "/site/")
    r = conn.getresponse()
    assert r.status == 200 and r.read() == b""
    conn.close()


def test_foreign_host_headers_are_refused(preview: Preview) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 gets nothing."""
    assert preview.get("/", {"Host": "evil.example"})[0] == 403
    assert preview.get("/", {"Host": f"localhost:{preview.port}"})[0] == 200
    assert preview.get("/", {"Host": f"127.0.0.1:{preview.port}"})[0] == 200


def test_built_pages_get_the_live_reload_script(preview: Preview) -> None:
    _, _, body = preview.get("/site/launch/")
    assert b'<script src="/_studio/studio.js"' in body
    status, headers, _ = preview.get("/_studio/studio.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")


def test_events_stream_sends_the_state(preview: Preview) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=5)
    conn.request("GET", "/_studio/events")
    r = conn.getresponse()
    assert r.getheader("Content-Type").startswith("text/event-stream")
    seen = b""
    while b"event: state" not in seen:
        seen += r.fp.readline()
    data = r.fp.readline()
    assert data.startswith(b"data: {") and b'"generation"' in data
    conn.close()


def test_a_broken_save_keeps_the_last_good_build(preview: Preview) -> None:
    rel = "content/2026/12/launch/index.md"
    before = preview.state()
    try:
        preview.edit(rel, LAUNCH.replace("date: 2026-12-01 09:30", "date: 2026-13-45 09:30"))
        state = preview.wait_state(lambda s: s["errors"])
        assert any(e["where"].startswith(f"{rel}:4:") for e in state["errors"]), state
        assert state["content"] == before["content"]  # the pages still show the last build
        assert preview.get("/post/launch/")[0] == 200
    finally:
        preview.edit(rel, LAUNCH)
    preview.wait_state(lambda s: not s["errors"] and s["content"] > before["content"])
    _wait_built(preview)


def _wait_built(preview: Preview, timeout: float = 20) -> None:
    """Wait for the full build after a quick update (the log says 'built in')."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if preview.state()["how"] in ("build", "ledger"):
            return
        time.sleep(0.05)
