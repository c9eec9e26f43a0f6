"""The preview studio: a small threaded HTTP server, live reload by server-sent events.

    GET /                      dashboard (filters: ?channel= &tag= &state=)
    GET /post/<id>/            one post: a mock-up per channel, counters, the article beside
    GET /calendar/             month or week (?view= &date= &tz= &channel=)
    GET /diagnostics/          every Problem of the last build
    GET /site/...              the preview build itself (site pages, media, manifest.json)
    GET /_studio/events        server-sent events: the live state after every rebuild
    GET /_studio/state.json    the same state, once
    GET /_studio/studio.css|js the studio's assets (rendered from cmpub/theme/preview/)

Built on the standard library's ``ThreadingHTTPServer``: one thread per connection is what a
local preview with a handful of open pages needs, and it brings no dependency. It binds to
127.0.0.1 unless told otherwise, answers only GET and HEAD, refuses Host headers that are not
this machine (DNS rebinding) unless bound to all interfaces, and serves nothing outside the
preview build and its own assets: paths are decoded once, ``..`` segments are refused, and
every file is resolved (symlinks included) and must stay inside the build folder.

Live reload: each page loads ``studio.js``, which opens an EventSource on ``/_studio/events``.
After every rebuild the server sends the new state (its generation, and the errors if the save
broke something). The script then fetches the page again and swaps its content in place, so the
scroll position stays; when there are errors it shows them in an overlay (``path:line`` and the
fix) while the page keeps showing the last good build. Built site pages get the same script
(injected before ``</body>``) and reload themselves.
"""

from __future__ import annotations

import json
import mimetypes
import queue
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from cmpub.build.preview import pages
from cmpub.build.preview.state import Builder, Outcome, Snapshot
from cmpub.build.preview.watcher import Watcher
from cmpub.model.errors import UsageError
from cmpub.render.templates import TemplateProblem, Templates

Event = Callable[[str, dict[str, Any]], None]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
HEARTBEAT = 15.0
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'self'"
)


class Studio:
    """The preview of one project: builds, watches, serves, and tells open pages to refresh."""

    def __init__(
        self,
        root: Path,
        clock: Callable[[], datetime],
        host: str = "127.0.0.1",
        port: int = 8000,
        out: Path | None = None,
        jobs: int | None = None,
        on_event: Event | None = None,
    ) -> None:
        self.root = root.resolve()
        self.out = (out or self.root / ".cmpub-cache" / "preview" / "site").resolve()
        self.clock = clock
        self.host = host
        self.port = port
        self.on_event = on_event or (lambda kind, data: None)
        self.builder = Builder(self.root, self.out, jobs)
        self.snapshot = Snapshot()
        self._cond = threading.Condition()
        self._stopping = False
        self._changes: queue.Queue[set[str]] = queue.Queue()
        self._full_wanted = threading.Event()
        self._seq = 0
        self._server: ThreadingHTTPServer | None = None
        self._watcher: Watcher | None = None
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ life cycle

    @property
    def url(self) -> str:
        """The address of the dashboard."""
        assert self._server is not None
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self._server.server_address[1]}/"

    def start(self) -> None:
        """Build once, then serve and watch in background threads (returns at once)."""
        started = time.perf_counter()
        self._apply(self.builder.full())
        self.on_event("built", self._summary(time.perf_counter() - started))
        try:
            self._server = _Server((self.host, self.port), _Handler)
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
                " (is another preview running? try --port 0 for any free port)"
            ) from None
        self._server.studio = self
        self._spawn(self._server.serve_forever, "http")
        self._spawn(self._quick_loop, "quick")
        self._spawn(self._full_loop, "full")
        config = self.snapshot.config
        folders = [
            config.content_dir if config else "content",
            config.assets_dir if config else "assets",
            "templates",
            config.deploy.ledger if config else "ledger",
        ]
        self._watcher = Watcher(self.root, folders, self._changes.put)
        self._watcher.start()

    def stop(self) -> None:
        """Stop serving and watching; open event streams end."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self._changes.put(set())
        self._full_wanted.set()
        if self._watcher:
            self._watcher.stop()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def wait(self) -> None:
        """Block until stop() (for the CLI: Ctrl-C raises KeyboardInterrupt here)."""
        while not self._stopping:
            time.sleep(0.2)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        t = threading.Thread(target=target, name=f"cmpub-preview-{name}", daemon=True)
        t.start()
        self._threads.append(t)

    # ------------------------------------------------------------------ rebuilding

    def _quick_loop(self) -> None:
        while True:
            changed = self._changes.get()
            while True:  # a save often touches several files: take them all
                try:
                    changed |= self._changes.get(timeout=0.02)
                except queue.Empty:
                    break
            if self._stopping:
                return
            if not changed:
                continue
            self._seq += 1
            rels = self._relative(changed)
            self.on_event("changed", {"paths": sorted(rels)})
            config = self.snapshot.config
            ledger = (config.deploy.ledger if config else "ledger") + "/"
            if all(r.startswith(ledger) for r in rels):
                self._publish_ledger()
                continue
            content = (config.content_dir if config else "content") + "/"
            if all(r.startswith(content) and r.endswith(".md") for r in rels):
                outcome = self.builder.quick(self.snapshot)
                if outcome is not None:
                    self._apply(outcome)
                    self.on_event("rebuilt", self._summary(outcome.fields["seconds"]))
                    if not outcome.ok:
                        continue  # the full build would stop on the same errors
            self._full_wanted.set()

    def _full_loop(self) -> None:
        while True:
            self._full_wanted.wait()
            self._full_wanted.clear()
            if self._stopping:
                return
            seq = self._seq
            outcome = self.builder.full()
            if self._stopping:
                return
            if seq != self._seq and outcome.ok:
                continue  # newer saves arrived during the build: their own round follows
            self._apply(outcome)
            self.on_event("rebuilt", self._summary(outcome.fields["seconds"]))

    def _relative(self, paths: set[str]) -> list[str]:
        out = []
        for p in paths:
            try:
                out.append(Path(p).resolve().relative_to(self.root).as_posix())
            except ValueError:
                out.append(p)
        return out

    def _apply(self, outcome: Outcome) -> None:
        with self._cond:
            old = self.snapshot
            fields = dict(outcome.fields)
            generation = old.generation + 1
            if outcome.ok:
                snap = Snapshot(generation=generation, content=generation, built=True, **fields)
            else:
                keep = {
                    k: getattr(old, k)
                    for k in ("config", "posts", "copies", "variants", "records", "media")
                }
                snap = Snapshot(
                    generation=generation, content=old.content, built=old.built, **keep, **fields
                )
            if outcome.ok or not old.built:
                snap = _with(snap, records=self.builder.ledger(snap.config))
            self.snapshot = snap
            self._cond.notify_all()

    def _publish_ledger(self) -> None:
        with self._cond:
            old = self.snapshot
            generation = old.generation + 1
            self.snapshot = _with(
                old,
                generation=generation,
                content=generation,
                records=self.builder.ledger(old.config),
                how="ledger",
            )
            self._cond.notify_all()
        self.on_event("rebuilt", self._summary(0.0))

    def _summary(self, seconds: float) -> dict[str, Any]:
        s = self.snapshot
        return {
            "generation": s.generation,
            "ok": not s.errors,
            "how": s.how,
            "seconds": seconds,
            "posts": len(s.posts),
            "errors": [str(p) for p in s.errors],
            "warnings": len(s.warnings),
        }

    # ------------------------------------------------------------------ state for pages

    def state(self) -> dict[str, Any]:
        """The live state the pages follow (what /_studio/events sends)."""
        s = self.snapshot
        post_of = s.post_of_path()
        return {
            "generation": s.generation,
            "content": s.content,
            "built": s.built,
            "how": s.how,
            "errors": [pages.problem_dict(p, post_of) for p in s.errors],
            "warnings": len(s.warnings),
        }

    def wait_change(self, seen: int, timeout: float) -> Snapshot | None:
        """The snapshot once its generation differs from ``seen``, or None after ``timeout``."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._stopping or self.snapshot.generation != seen, timeout=timeout
            )
            if self._stopping or self.snapshot.generation == seen:
                return None
            return self.snapshot

    @property
    def stopping(self) -> bool:
        """True once stop() was called."""
        return self._stopping


def _with(snap: Snapshot, **changes: Any) -> Snapshot:
    import dataclasses

    return dataclasses.replace(snap, **changes)


# ----------------------------------------------------------------------------- HTTP


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    studio: Studio


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "cmpub-preview"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI reports builds
        return

    # ------------------------------------------------------------------ dispatch

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def _refuse(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"GET and HEAD only\n", "text/plain", False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def _dispatch(self, head: bool) -> None:
        studio = self.server.studio
        if not self._host_ok(studio):
            self._send(HTTPStatus.FORBIDDEN, b"unknown host\n", "text/plain", head)
            return
        try:
            parts = urlsplit(self.path)
        except ValueError:
            self._send(HTTPStatus.BAD_REQUEST, b"bad request\n", "text/plain", head)
            return
        raw = parts.path
        query = dict(parse_qsl(parts.query))
        path = unquote(raw)
        try:
            if raw == "/":
                self._page("preview/dashboard.html.j2", "dashboard", head, query)
            elif raw in ("/calendar", "/diagnostics"):
                self._redirect(raw + "/")
            elif raw == "/calendar/":
                self._page("preview/calendar.html.j2", "calendar", head, query)
            elif raw == "/diagnostics/":
                self._page("preview/diagnostics.html.j2", "diagnostics", head, query)
            elif raw.startswith("/post/"):
                self._post(path[len("/post/") :], head, query)
            elif raw.startswith("/site/") or raw == "/site":
                self._file(path[len("/site") :], head)
            elif raw == "/favicon.ico":
                self._file("/brand/logo.png", head, missing=HTTPStatus.NO_CONTENT)
            elif raw == "/_studio/events":
                self._events()
            elif raw == "/_studio/state.json":
                body = json.dumps(studio.state(), ensure_ascii=False).encode()
                self._send(HTTPStatus.OK, body, "application/json", head)
            elif raw == "/_studio/studio.css":
                css = pages.studio_css(studio.snapshot, Templates(studio.root))
                self._send(HTTPStatus.OK, css.encode(), "text/css", head)
            elif raw == "/_studio/studio.js":
                js = Templates(studio.root).render("preview/studio.js.j2")
                self._send(HTTPStatus.OK, js.encode(), "text/javascript", head)
            else:
                self._not_found(head)
        except (BrokenPipeError, ConnectionResetError):
            return
        except TemplateProblem as exc:
            body = f"cmpub preview: a studio template is broken: {exc.problem}\n".encode()
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, body, "text/plain", head)

    def _host_ok(self, studio: Studio) -> bool:
        if studio.host in ("0.0.0.0", "::", ""):
            return True
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        name = name.strip("[]").lower()
        return name in LOCAL_HOSTS or name == studio.host.lower()

    # ------------------------------------------------------------------ pages

    def _page(
        self, template: str, page: str, head: bool, query: dict[str, str], **extra: Any
    ) -> None:
        studio = self.server.studio
        snap = studio.snapshot
        templates = Templates(studio.root)
        ctx = pages.base_context(snap, templates, page)
        now = studio.clock()
        if snap.built and snap.config is not None:
            if page == "dashboard":
                ctx.update(pages.dashboard_page(snap, now, query))
            elif page == "calendar":
                ctx.update(pages.calendar_page(snap, now, query))
            elif page == "diagnostics":
                ctx.update(pages.diagnostics_page(snap))
        elif page == "diagnostics":
            ctx.update(pages.diagnostics_page(snap))
        ctx.update(extra)
        html = templates.render(template, **ctx)
        self._send(HTTPStatus.OK, html.encode(), "text/html", head, studio_page=True)

    def _post(self, rest: str, head: bool, query: dict[str, str]) -> None:
        studio = self.server.studio
        snap = studio.snapshot
        if not rest.endswith("/"):
            self._redirect("/post/" + rest + "/")
            return
        post = snap.post(rest.strip("/")) if snap.config else None
        if post is None:
            self._not_found(head)
            return
        extra = pages.post_page(snap, post, studio.clock(), studio.out, query)
        self._page("preview/post.html.j2", "post", head, query, **extra)

    def _not_found(self, head: bool) -> None:
        studio = self.server.studio
        templates = Templates(studio.root)
        ctx = pages.base_context(studio.snapshot, templates, "missing")
        html = templates.render("preview/missing.html.j2", **ctx)
        self._send(HTTPStatus.NOT_FOUND, html.encode(), "text/html", head, studio_page=True)

    # ------------------------------------------------------------------ files

    def _file(self, rel: str, head: bool, missing: HTTPStatus = HTTPStatus.NOT_FOUND) -> None:
        studio = self.server.studio
        if rel in ("", "/"):
            rel = "/index.html"
        target = resolve_inside(studio.out, rel)
        if target is None:
            extra = studio.snapshot.media.get(rel.lstrip("/"))
            target = extra if extra is not None and extra.is_file() else None
        if target is None:
            if missing == HTTPStatus.NO_CONTENT:
                self._send(missing, b"", "text/plain", True)
            else:
                self._not_found(head)
            return
        if target.is_dir():
            if not rel.endswith("/"):
                self._redirect("/site" + rel + "/")
                return
            target = target / "index.html"
            if resolve_inside(studio.out, rel + "index.html") is None:
                self._not_found(head)
                return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        try:
            st = target.stat()
            etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}-{studio.snapshot.content:x}"'
            if self.headers.get("If-None-Match") == etag:
                self._send(HTTPStatus.NOT_MODIFIED, b"", kind, True, etag=etag)
                return
            body = target.read_bytes()
        except OSError:
            self._not_found(head)
            return
        if kind == "text/html":
            body = _inject(body, studio.snapshot.content)
        self._send(HTTPStatus.OK, body, kind, head, etag=etag)

    # ------------------------------------------------------------------ events

    def _events(self) -> None:
        studio = self.server.studio
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 500\n\n")
            while not studio.stopping:
                if seen == -1:
                    snap: Snapshot | None = studio.snapshot
                else:
                    snap = studio.wait_change(seen, HEARTBEAT)
                if snap is None:
                    self.wfile.write(b": ping\n\n")
                else:
                    seen = snap.generation
                    data = json.dumps(studio.state(), ensure_ascii=False)
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    # ------------------------------------------------------------------ responses

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        kind: str,
        head: bool,
        studio_page: bool = False,
        etag: str | None = None,
    ) -> None:
        if kind.startswith("text/") or kind in ("application/json", "application/xml"):
            kind += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
        else:
            self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if studio_page:
            self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.end_headers()
        if not head and body:
            self.wfile.write(body)


def resolve_inside(base: Path, rel: str) -> Path | None:
    """``rel`` (a decoded URL path) as a path inside ``base``, or None when it is not one.

    Refuses NUL bytes, backslashes and ``..`` segments outright, then resolves symbolic links
    and checks that the real path is still inside the real ``base``.
    """
    if "\x00" in rel or "\\" in rel:
        return None
    segments = [s for s in rel.split("/") if s not in ("", ".")]
    if any(s == ".." for s in segments):
        return None
    try:
        real_base = base.resolve(strict=True)
        target = base.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if target != real_base and not target.is_relative_to(real_base):
        return None
    return target


def _inject(html: bytes, generation: int) -> bytes:
    """Add the live-reload script to a built site page (before ``</body>``)."""
    tag = (
        f'<script src="/_studio/studio.js" data-generation="{generation}" defer></script>'
    ).encode()
    at = html.rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


__all__ = ["Studio", "resolve_inside"]
