"""Redact first, then cut: no piece of a secret reaches the terminal, the ledger or dist/.

A server that echoes our request in its error body (credentials and all) is a real HTTP server
here (stdlib ``http.server`` in a thread). It places the secret so that it straddles the point
where cmpub shortens the server's words (300 characters of a JSON ``message``, 300 of a plain
text body), as it is, URL-encoded or JSON-escaped. A real ``cmpub deploy`` runs against it for
each network; every prefix of the secret of 4 characters or more is then looked for in what
the process printed, in every ledger file and in every file under dist/.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.support.deploy import NOW, make_repo, post, run_cli

SECRETS = {
    "bluesky": ("CMPUB_BLUESKY_APP_PASSWORD", 'k7pq-2xw9/vlm4"rtz+ä'),
    "mastodon": ("CMPUB_MASTODON_ACCESS_TOKEN", "Mtok_Q8zLr2Vx7Kp3Wn9Yc4Hb6Jd"),
    "webhook": ("CMPUB_WEBHOOK_SECRET", "whsec-Zq8xT4vK2pL9mN7r"),
}
SETTINGS = {
    "bluesky": '  bluesky: {{handle: cafe.test, service: "{url}"}}\n',
    "mastodon": '  mastodon: {{handle: "@cafe@social.test", instance: "{url}"}}\n',
    "webhook": "",
}


def _spelled(secret: str, how: str) -> str:
    return {"raw": secret, "url": quote(secret, safe=""), "json": json.dumps(secret)[1:-1]}[how]


class Echo:
    """Answers every request 400 with an error that carries the secret across the cut."""

    def __init__(self, secret: str, how: str, body: str) -> None:
        self.secret, self.how, self.body = secret, how, body
        echo = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                data, kind = echo.answer()
                self.send_response(400)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def answer(self) -> tuple[bytes, str]:
        """The secret starts at character 296 of what the server says: cut at 300, its first
        4 characters would be left."""
        spelled = _spelled(self.secret, self.how)
        said = "you sent " + "x" * 277 + f" password={spelled} and more"
        if self.body == "json":
            return json.dumps({"error": said}).encode(), "application/json"
        return said.encode(), "text/plain; charset=utf-8"

    def __enter__(self) -> Echo:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def _everything(root: Path, printed: str) -> Iterator[tuple[str, str]]:
    yield "the terminal", printed
    for folder in ("ledger", "dist"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                yield str(path.relative_to(root)), path.read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("how", ["raw", "url", "json"])
@pytest.mark.parametrize("body", ["json", "text"])
@pytest.mark.parametrize("network", ["bluesky", "mastodon", "webhook"])
def test_no_piece_of_a_secret_leaves_an_error_path(
    tmp_path: Path, network: str, body: str, how: str
) -> None:
    variable, secret = SECRETS[network]
    with Echo(secret, how, body) as echo:
        root = make_repo(
            tmp_path,
            echo.url,
            posts={"content/a.md": post("Alpha", "2026-12-01 09:00", channels=network)},
            channels=SETTINGS[network].format(url=echo.url),
        )
        env = {"CMPUB_WEBHOOK_SECRET": "unused-webhook-secret", variable: secret}
        done = run_cli(root, "deploy", "--now", NOW, "--no-push", env=_env(env))
    printed = done.stdout + done.stderr
    assert done.returncode == 4, printed
    assert "***" in printed  # the server's words are reported, the secret hidden
    spellings = {_spelled(secret, h) for h in ("raw", "url", "json")}
    for where, text in _everything(root, printed):
        for spelled in spellings:
            for size in range(4, len(spelled) + 1):
                piece = spelled[:size]
                assert piece not in text, f"{piece!r} ({size} characters) in {where}"


def _env(extra: dict[str, str]) -> dict[str, str]:
    from tests.support.deploy import git_env

    return {**git_env(), **extra}


# ----------------------------------------------------------------------------- the helper


def test_redact_hides_every_spelling_then_cuts() -> None:
    from cmpub.deploy.publishers.base import Secret, redact

    secret = 'ab/cd"ef gh+ij'
    for spelled in (secret, quote(secret, safe="").lower(), json.dumps(secret)[1:-1]):
        text = "z" * 95 + spelled + " tail"
        shown = redact(text, [Secret(secret)], 100)
        assert shown == "z" * 95 + "***…"
        assert all(secret[:n] not in shown for n in range(4, len(secret)))


def test_pieces_of_a_secret_a_server_cut_are_hidden_too() -> None:
    from cmpub.deploy.publishers.base import redact

    secret = "Mtok_Q8zLr2Vx7Kp3Wn9"
    assert redact(f"echo: {secret[:11]}… (truncated)", [secret]) == "echo: ***… (truncated)"
    assert redact(f"it ended {secret[:5]}...", [secret]) == "it ended ***..."
    assert redact("this was revoked", ["revoked-Secret-Value-4711"]) == "this was revoked"
    assert redact(f"the end was {secret[-12:]} here", [secret]) == "the end was *** here"
    assert redact("nothing secret: Mtok is a word", [secret]) == "nothing secret: Mtok is a word"


def test_an_exception_quoting_a_secret_is_redacted_before_it_is_shortened() -> None:
    from cmpub.deploy.publishers.http import why

    secret = "Mtok_Q8zLr2Vx7Kp3Wn9"
    exc = OSError("x" * 155 + f"https://h/?access_token={secret}")
    shown = why(exc, [secret])
    assert len(shown) <= 160 and not any(secret[:n] in shown for n in range(4, len(secret)))
