"""Ledger records as deploy changes them, the commit messages that carry them, and the
outbox folder kept across builds."""

from __future__ import annotations

from typing import Any

from cmpub.deploy.plan import Planned, iso
from cmpub.deploy.publishers.base import Receipt
from cmpub.deploy.report import Outcome
from cmpub.read.ledger import Record


def new_record(p: Planned) -> Record:
    """A fresh record for ``p`` (state ``pending`` until the caller says otherwise)."""
    item = p.item
    return Record(
        post=item.post,
        channel=item.channel,
        part=item.part,
        state="pending",
        idempotency_key=item.idempotency_key,
        content_hash=item.content_hash,
        publish_at=iso(item.publish_at),
        parts=item.parts,
        title=item.title,
    )


def mark_published(record: Record, receipt: Receipt, at: str) -> None:
    """Published (or ``scheduled`` when the Receipt says the network's scheduler has it)."""
    state = "scheduled" if receipt.extra.get("scheduled") else "published"
    record.note(state, at, remote_id=receipt.remote_id)
    record.remote_id, record.url, record.extra = receipt.remote_id, receipt.url, dict(receipt.extra)
    record.published_at = at if state == "published" else None
    record.error = record.retryable = record.needs_person = record.error_code = None


def mark_failed(
    record: Record, at: str, message: str, retryable: bool, needs_person: bool, code: str | None
) -> None:
    """Did not go out: why, and whether the next run tries again."""
    record.note("failed", at, error=message)
    record.error, record.retryable = message, retryable
    record.needs_person, record.error_code = needs_person, code


def mark_person(record: Record, state: str, at: str, message: str) -> None:
    """``uncertain`` or ``missed``: a person decides."""
    record.note(state, at, error=message)
    record.error, record.retryable, record.needs_person = message, False, True


def outcome(record: Record, state: str, **kw: Any) -> Outcome:
    """The result line of ``record`` in this run."""
    return Outcome(
        post=record.post,
        channel=record.channel,
        part=record.part,
        parts=record.parts,
        title=record.title,
        state=state,
        **kw,
    )


# ----------------------------------------------------------------------------- messages


def _listing(pairs: list[tuple[str, str]]) -> str:
    groups: dict[str, list[str]] = {}
    for post, channel in pairs:
        groups.setdefault(post, [])
        if channel not in groups[post]:
            groups[post].append(channel)
    text = "; ".join(f"{post} → {', '.join(chs)}" for post, chs in groups.items())
    return text if len(text) <= 60 else text[:58].rstrip(" ,;") + " …"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _line(state: str, post: str, channel: str, part: int, parts: int, tail: str = "") -> str:
    return f"{state:<10} {post} → {channel} (part {part + 1}/{parts}) {tail}".rstrip()


def claim_message(send: list[Planned], outcomes: list[Outcome]) -> str:
    """'cmpub: claim 3 posts (guji → bluesky, mastodon …) [skip ci]' and one line per item."""
    pairs = [(p.item.post, p.item.channel) for p in send]
    if pairs:
        subject = f"cmpub: claim {_plural(len(pairs), 'post')} ({_listing(pairs)})"
    else:
        kinds = sorted({o.state for o in outcomes})
        subject = f"cmpub: record {_plural(len(outcomes), 'post')} ({', '.join(kinds)})"
    body = [_line("pending", p.item.post, p.item.channel, p.item.part, p.item.parts) for p in send]
    body += [_line(o.state, o.post, o.channel, o.part, o.parts) for o in outcomes]
    return f"{subject} [skip ci]\n\n" + "\n".join(body) + "\n"


def result_message(outcomes: list[Outcome]) -> str:
    """'cmpub: published 3 posts (…), 1 failed [skip ci]' and one line per item."""
    done = [o for o in outcomes if o.state in ("published", "scheduled")]
    parts = []
    if done:
        listing = _listing([(o.post, o.channel) for o in done])
        parts.append(f"published {_plural(len(done), 'post')} ({listing})")
    for state in ("failed", "waiting", "uncertain"):
        if n := sum(o.state == state for o in outcomes):
            parts.append(f"{n} {state}")
    subject = "cmpub: " + ", ".join(parts or ["record results"])
    body = [
        _line(o.state, o.post, o.channel, o.part, o.parts, o.url or o.message) for o in outcomes
    ]
    return f"{subject} [skip ci]\n\n" + "\n".join(body) + "\n"
