"""Watch a project's sources with ``watchfiles`` and hand each batch of changes to a callback.

Only what a build reads is watched: the content and assets folders, ``templates/``, the ledger
(so a deploy's records show up) and ``cmpub.yaml``. The project root itself is watched without
recursion (for ``cmpub.yaml`` written in place or replaced by an editor's rename, and for one of
those folders appearing); the folders are watched recursively. Output folders (``dist/``,
``.cmpub-cache/``) are never watched, so a build never triggers itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

Changes = set[str]  # absolute paths that changed


class Watcher:
    """Two watchfiles loops in daemon threads; ``stop()`` ends both within a step."""

    def __init__(
        self,
        root: Path,
        folders: list[str],
        on_change: Callable[[Changes], None],
        step_ms: int = 30,
    ) -> None:
        self.root = root
        self.folders = folders
        self.on_change = on_change
        self.step_ms = step_ms
        self._stop = threading.Event()
        self._restart = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start watching (returns at once)."""
        for target in (self._watch_root, self._watch_folders):
            t = threading.Thread(target=target, name=f"cmpub-{target.__name__}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        """Stop watching and wait for the threads."""
        self._stop.set()
        self._restart.set()
        for t in self._threads:
            t.join(timeout=5)

    def _names(self) -> set[str]:
        return {"cmpub.yaml", *(f.split("/")[0] for f in self.folders)}

    def _watch_root(self) -> None:
        from watchfiles import watch

        names = self._names()
        for changes in watch(
            self.root,
            watch_filter=lambda _c, p: Path(p).name in names and Path(p).parent == self.root,
            recursive=False,
            step=self.step_ms,
            stop_event=self._stop,
            raise_interrupt=False,
        ):
            paths = {p for _c, p in changes}
            if any(Path(p).name != "cmpub.yaml" for p in paths):
                self._restart.set()  # a watched folder appeared or went away
            self.on_change(paths)

    def _watch_folders(self) -> None:
        from watchfiles import DefaultFilter, watch

        default = DefaultFilter()
        while not self._stop.is_set():
            self._restart.clear()
            existing = [self.root / f for f in self.folders if (self.root / f).is_dir()]
            if not existing:
                self._restart.wait()
                continue
            for changes in watch(
                *existing,
                watch_filter=default,
                step=self.step_ms,
                stop_event=_Either(self._stop, self._restart),
                raise_interrupt=False,
            ):
                self.on_change({p for _c, p in changes})


class _Either:
    """An event that is set when either of two events is (what watchfiles' stop_event needs)."""

    def __init__(self, a: threading.Event, b: threading.Event) -> None:
        self.a, self.b = a, b

    def is_set(self) -> bool:
        return self.a.is_set() or self.b.is_set()


__all__ = ["Watcher"]
