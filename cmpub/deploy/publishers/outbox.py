"""The outbox: the embedded default channel, a local mailbox under ``dist/outbox/``.

Each item becomes ``dist/outbox/<post id>/<channel>-<part>.json`` holding its exact payload
(:func:`cmpub.deploy.publishers.base.payload`), with its images copied beside it. No account, no
network: the demo and the tests run end to end with it, and a person can post the files by
hand. Every file actually written adds one line to ``dist/outbox/journal.jsonl``, so a reader
(or a test) can check that nothing was delivered twice.

Idempotent by construction: a file that already holds the item's idempotency key is the
Receipt, and :meth:`OutboxPublisher.lookup` answers from the same file.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from cmpub.deploy.publishers.base import Capabilities, Item, PublishError, Receipt, Secret, payload
from cmpub.model import layout

FOLDER = layout.OUTBOX
JOURNAL = layout.OUTBOX_JOURNAL


class OutboxPublisher:
    """Writes payloads to ``dist/outbox/``; needs no secret."""

    id: ClassVar[str] = "outbox"
    name: ClassVar[str] = "Outbox"
    capabilities: ClassVar[Capabilities] = Capabilities(
        images=True, alt_text=True, polls=True, threads=True, lookup=True
    )

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], settings: Mapping[str, Any], context: Mapping[str, Any]
    ) -> OutboxPublisher:
        """The outbox of ``context["dist"]`` (default ``<root>/dist``)."""
        dist = context.get("dist") or Path(context["root"]) / "dist"
        return cls(Path(dist) / FOLDER)

    def __repr__(self) -> str:
        return f"OutboxPublisher({str(self.folder)!r})"

    def path(self, item: Item) -> Path:
        """Where ``item``'s payload goes."""
        return self.folder.joinpath(*item.post.split("/")) / f"{item.channel}-{item.part}.json"

    def publish(self, item: Item) -> Receipt:
        """Write the payload (and copy the images) unless the same item is already there."""
        found = self.lookup(item)
        if found is not None:
            return found
        target = self.path(item)
        data = payload(item)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            for i, image in enumerate(data["images"]):
                source = Path(image["path"])
                copy = target.with_name(f"{target.stem}-{i + 1}{source.suffix or '.jpg'}")
                shutil.copyfile(source, copy)
                image["path"] = copy.name
            _write_atomic(target, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            with (self.folder / JOURNAL).open("a", encoding="utf-8") as fh:
                fh.write(
                    json.dumps(
                        {"key": item.idempotency_key, "file": self._rel(target)},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        except OSError as exc:
            raise PublishError(
                f"cannot write to the outbox ({exc.strerror or exc}): check that dist/ is writable",
                retryable=False,
                needs_person=True,
                code="rejected",
            ) from exc
        return self._receipt(target)

    def lookup(self, item: Item) -> Receipt | None:
        """The Receipt when the item's file exists with its idempotency key, else None."""
        target = self.path(item)
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("idempotency_key") != item.idempotency_key:
            return None
        return self._receipt(target)

    def secrets(self) -> tuple[Secret, ...]:
        """The outbox holds no secret."""
        return ()

    def _rel(self, target: Path) -> str:
        return f"{FOLDER}/{target.relative_to(self.folder).as_posix()}"

    def _receipt(self, target: Path) -> Receipt:
        rel = self._rel(target)
        return Receipt(remote_id=rel, url=None, extra={"file": f"dist/{rel}"})


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
