"""deploy() in real git repositories with a real webhook receiver: exactly once, records,
commits, pushes and push races, retries, timeouts, rejected secrets, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cmpub.deploy import deploy, dry_run_text
from cmpub.deploy.publishers.base import Capabilities, Item, PublishError, Receipt, Secret
from cmpub.deploy.report import EXIT_OK, EXIT_PERSON, EXIT_RETRY
from cmpub.read.ledger import Record
from tests.deploy.conftest import Sleeps
from tests.support.deploy import (
    NOW_DT,
    POSTS,
    SECRET,
    Answer,
    Receiver,
    clone,
    git,
    log,
    make_repo,
    outbox_journal,
    records,
)

ENV = {"CMPUB_WEBHOOK_SECRET": SECRET}
NO_OLD = {k: v for k, v in POSTS.items() if k != "content/old.md"}


def run(root: Path, sleeps: Sleeps | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    kw.setdefault("environ", ENV)
    return deploy(root, NOW_DT, sleep=sleeps if sleeps is not None else Sleeps(), **kw)


def states(root: Path) -> dict[str, str]:
    return {path: r["state"] for path, r in records(root).items()}


def test_publishes_what_is_due_once_and_records_it(project: Path, receiver: Receiver) -> None:
    result = run(project)
    assert states(project) == {
        "a/outbox-0.json": "published",
        "a/site-0.json": "published",
        "a/webhook-0.json": "published",
        "b/outbox-0.json": "published",
        "b/site-0.json": "published",
        "b/webhook-0.json": "published",
        "old/outbox-0.json": "missed",
        "old/site-0.json": "missed",
        "old/webhook-0.json": "missed",
    }
    assert [r.body["post"] for r in receiver.posts] == ["a", "b"]  # type: ignore[index]
    assert all(r.signature_ok for r in receiver.posts)
    assert result.exit_code == EXIT_PERSON  # 'old' was missed: a person decides
    assert result.headline() == "6 published, 3 need a person"
    # a second run at the same time finds nothing to do and sends nothing
    again = run(project)
    assert again.outcomes == []
    assert len(receiver.posts) == 2 and receiver.duplicates() == {}
    assert len(outbox_journal(project)) == 2
    assert again.headline() == "nothing was due, 3 need a person"
    # ...and so does a run with the real publishers built again from scratch, a day later
    assert run(project, include_missed=False).outcomes == []


def test_ledger_files_are_readable_and_say_what_happened(project: Path, receiver: Receiver) -> None:
    run(project)
    path = project / "ledger/a/site-0.json"
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "attempts": 1,\n  "channel": "site",\n')
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data["url"] == "https://cafe.example/a/"
    assert data["published_at"] == "2026-12-01T09:30:00Z"
    assert data["publish_at"] == "2026-12-01T08:00:00Z"
    assert [h["state"] for h in data["history"]] == ["pending", "published"]
    webhook = json.loads((project / "ledger/a/webhook-0.json").read_text())
    assert webhook["remote_id"].startswith("msg-")
    missed = json.loads((project / "ledger/old/webhook-0.json").read_text())
    assert missed["error"].startswith("its time (2026-11-20T08:00:00Z) is more than 6 h ago")
    assert missed["needs_person"] is True


def test_commits_and_pushes_with_clear_messages(
    project: Path, receiver: Receiver, tmp_path: Path
) -> None:
    result = run(project)
    subjects = log(project)
    assert subjects[:2] == [
        "cmpub: published 6 posts (a → site, outbox, webhook; b → site, outbox, webhook) [skip ci]",
        "cmpub: claim 6 posts (a → site, outbox, webhook; b → site, outbox, webhook) [skip ci]",
    ]
    assert log(tmp_path / "remote.git", "main") == subjects
    assert result.pushed
    body = git(project, "log", "-1", "--format=%b", "HEAD~1")
    assert "pending    a → site (part 1/1)" in body
    assert "missed     old → webhook (part 1/1)" in body
    assert git(project, "status", "--porcelain") == ""


def test_no_push_commits_only(project: Path, receiver: Receiver, tmp_path: Path) -> None:
    run(project, push=False)
    assert log(tmp_path / "remote.git", "main") == ["the project"]
    assert len(log(project)) == 3
    # the next run that pushes takes the earlier commits along
    run(project)
    assert log(tmp_path / "remote.git", "main") == log(project)


def test_dry_run_changes_nothing(project: Path, receiver: Receiver) -> None:
    head = git(project, "rev-parse", "HEAD")
    result = run(project, dry_run=True)
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain", "--ignored", "ledger") == ""
    assert not (project / "ledger").exists()
    assert not (project / "dist/outbox").exists()
    assert receiver.log == []
    text = dry_run_text(result)
    assert text.startswith(
        "Dry run at 2026-12-01T09:30:00Z: nothing is sent, written or committed."
    )
    assert "Would publish: 6" in text
    assert '"text": "Alpha: a short note from the café.\\n\\nhttps://cafe.example/a/' in text
    assert "Missed (older than the catch-up window): 3" in text
    assert "Future: 3" in text
    assert "1 draft (never published)" in text


def test_push_race_the_loser_takes_its_claim_back(
    project: Path, receiver: Receiver, tmp_path: Path
) -> None:
    other = clone(tmp_path, "other")

    def race(step: str) -> None:
        # after our claim is committed and before it is pushed, another checkout runs a full
        # deploy and pushes first
        if step == "after-claim" and not race.done:  # type: ignore[attr-defined]
            race.done = True  # type: ignore[attr-defined]
            run(other)

    race.done = False  # type: ignore[attr-defined]
    result = run(project, hooks=race)
    assert receiver.duplicates() == {}
    assert len(receiver.posts) == 2
    assert result.outcomes == []  # everything was already out when our claim was redone
    assert log(project) == log(tmp_path / "remote.git", "main")
    assert [s.split(" (")[0] for s in log(project)] == [
        "cmpub: published 6 posts",  # the other checkout's two commits, nothing of ours
        "cmpub: claim 6 posts",
        "the project",
    ]
    assert len(outbox_journal(other)) == 2 and outbox_journal(project) == []


def test_push_race_on_the_records_is_rebased(
    project: Path, receiver: Receiver, tmp_path: Path
) -> None:
    other = clone(tmp_path, "other")
    seen: dict[str, Any] = {}

    def race(step: str) -> None:
        if step == "before-record-commit" and "other" not in seen:
            # our claim is on the remote: a deploy in another checkout sees it as busy and
            # sends nothing; then someone merges a new post, which moves the remote under us
            seen["other"] = run(other)
            (other / "content/new.md").write_text(POSTS["content/future.md"])
            git(other, "add", "content/new.md")
            git(other, "commit", "-q", "-m", "a new post")
            git(other, "push", "-q", "origin", "main")

    run(project, hooks=race)
    assert seen["other"].outcomes == []
    assert [p.item.post for p in seen["other"].plan.busy] == ["a", "a", "a", "b", "b", "b"]
    assert receiver.duplicates() == {} and len(receiver.posts) == 2
    remote = log(tmp_path / "remote.git", "main")
    assert remote == log(project)
    assert remote[:2] == [
        "cmpub: published 6 posts (a → site, outbox, webhook; b → site, outbox, webhook) [skip ci]",
        "a new post",
    ]


def test_500_then_200_is_retried(project: Path, receiver: Receiver, sleeps: Sleeps) -> None:
    receiver.script = [Answer(500, body={"error": "boom"}), Answer(200)]
    result = run(project, sleeps)
    assert sleeps == [2.0]
    data = json.loads((project / "ledger/a/webhook-0.json").read_text())
    assert data["state"] == "published" and data["attempts"] == 2
    assert receiver.duplicates() == {}
    assert [o.attempts for o in result.outcomes if o.label.endswith("Webhook")][-2:] == [2, 1]


def test_429_waits_as_long_as_retry_after_says(
    project: Path, receiver: Receiver, sleeps: Sleeps
) -> None:
    receiver.script = [Answer(429, headers={"Retry-After": "7"}, body={"error": "slow down"})]
    run(project, sleeps)
    assert sleeps == [7.0]
    assert states(project)["a/webhook-0.json"] == "published"


def test_persistent_5xx_fails_retryably_then_the_next_run_succeeds(
    tmp_path: Path, receiver: Receiver, sleeps: Sleeps
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    receiver.script = [Answer(503)] * 3
    result = run(root, sleeps)
    assert sleeps == [2.0, 4.0]
    assert result.exit_code == EXIT_RETRY
    data = json.loads((root / "ledger/a/webhook-0.json").read_text())
    assert data["state"] == "failed" and data["retryable"] is True and data["attempts"] == 3
    assert data["error"] == (
        "the webhook at 127.0.0.1 had a problem on its side while sending 'a' (503)"
        " (Service Unavailable): will retry"
    )
    again = run(root)
    assert again.exit_code == EXIT_OK
    assert [o.label for o in again.outcomes] == ["a → Webhook"]
    assert json.loads((root / "ledger/a/webhook-0.json").read_text())["attempts"] == 4


def test_total_wait_is_capped(project: Path, receiver: Receiver, sleeps: Sleeps) -> None:
    receiver.script = [Answer(429, headers={"Retry-After": "3600"})] * 3
    run(project, sleeps)
    assert sleeps == [60.0, 60.0]  # Retry-After capped at 60 s, 120 s in all
    assert states(project)["a/webhook-0.json"] == "failed"


def test_timeout_after_the_receiver_kept_it_is_uncertain_never_resent(
    project: Path, receiver: Receiver
) -> None:
    receiver.script = [Answer(200, delay=0.6)]
    result = run(project, timeout=0.2)
    data = json.loads((project / "ledger/a/webhook-0.json").read_text())
    assert data["state"] == "uncertain"
    assert data["error"] == (
        "the webhook at 127.0.0.1 did not answer in time while sending 'a': it may or may not"
        " have received it; the webhook at 127.0.0.1 cannot say whether it received 'a'"
        " (part 1) before the interruption: check the receiver, then set the ledger record's"
        " state to published, or delete the record to send it again"
    )
    assert result.exit_code == EXIT_PERSON
    run(project)
    assert [r.key for r in receiver.posts].count(data["idempotency_key"]) == 1
    assert receiver.duplicates() == {}
    assert states(project)["a/webhook-0.json"] == "uncertain"


def test_timeout_with_a_receiver_that_answers_lookups(tmp_path: Path) -> None:
    with Receiver(lookup=True) as receiver:
        root = make_repo(tmp_path, receiver.url, NO_OLD)
        receiver.script = [Answer(200, delay=0.6)]
        result = run(root, timeout=0.2)
    assert states(root)["a/webhook-0.json"] == "published"
    assert result.exit_code == EXIT_OK
    assert receiver.duplicates() == {}
    assert [r.method for r in receiver.log] == ["POST", "GET", "POST"]


def test_a_rejected_secret_needs_a_person_and_never_shows(
    tmp_path: Path, receiver: Receiver
) -> None:
    revoked = "revoked-Secret-Value-4711"
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    # the receiver even echoes the secret back: it must not reach the ledger or the output
    receiver.script = [Answer(401, body={"error": f"signature made with {revoked} is revoked"})]
    result = run(root, environ={"CMPUB_WEBHOOK_SECRET": revoked})
    assert result.exit_code == EXIT_PERSON
    failed = [o for o in result.outcomes if o.state == "failed"]
    assert [o.label for o in failed] == ["a → Webhook", "b → Webhook"]
    assert failed[0].message == (
        "the webhook at 127.0.0.1 rejected the credentials while sending 'a' (401)"
        " (signature made with *** is revoked): check or replace CMPUB_WEBHOOK_SECRET"
    )
    data = json.loads((root / "ledger/a/webhook-0.json").read_text())
    assert data["needs_person"] is True and data["retryable"] is False
    assert data["error_code"] == "auth"
    from cmpub.deploy import summary_markdown, text_lines

    shown = "\n".join([*text_lines(result), summary_markdown(result), dry_run_text(result)])
    everything = shown + git(root, "log", "-p", "--all")
    for path in root.rglob("*"):
        if path.is_file() and ".git/objects" not in path.as_posix():
            everything += path.read_bytes().decode("utf-8", "replace")
    assert revoked not in everything
    assert "***" in shown


def test_a_missing_secret_blocks_only_its_channel(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    result = run(root, environ={})
    assert result.exit_code == EXIT_PERSON
    assert result.blocked == [
        "Webhook: the signing secret is missing: set the environment variable"
        " CMPUB_WEBHOOK_SECRET (in GitHub: Settings → Secrets and variables → Actions)"
    ]
    assert sorted(states(root)) == [
        "a/outbox-0.json",
        "a/site-0.json",
        "b/outbox-0.json",
        "b/site-0.json",
    ]
    assert receiver.log == []
    assert run(root).exit_code == EXIT_OK  # the secret is back: the webhook posts go out


def test_exit_code_0_when_everything_went_out(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    result = run(root)
    assert result.exit_code == EXIT_OK
    assert result.headline() == "6 published"


def test_include_missed_publishes_old_posts(project: Path, receiver: Receiver) -> None:
    run(project)
    result = run(project, include_missed=True)
    assert sorted(o.label for o in result.outcomes) == [
        "old → Outbox",
        "old → Site",
        "old → Webhook",
    ]
    assert result.exit_code == EXIT_OK


def test_not_a_git_repository_still_records(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD, remote=False)
    import shutil

    shutil.rmtree(root / ".git")
    result = run(root)
    assert result.exit_code == EXIT_OK and result.commits == []
    assert states(root)["a/site-0.json"] == "published"


# ----------------------------------------------------------------------------- threads


class FakeThreads:
    """An X publisher that records every item (and can fail a part once)."""

    id = "x"
    name = "X"
    capabilities = Capabilities(threads=True, lookup=True)

    def __init__(self, fail_part: int | None = None) -> None:
        self.sent: list[Item] = []
        self.fail_part = fail_part

    def publish(self, item: Item) -> Receipt:
        if item.part == self.fail_part:
            self.fail_part = None
            raise PublishError("X is over capacity (503)", retryable=True)
        self.sent.append(item)
        return Receipt(remote_id=f"x{item.part}", url=f"https://x.example/{item.part}")

    def lookup(self, item: Item) -> Receipt | None:
        return None

    def secrets(self) -> tuple[Secret, ...]:
        return ()


THREAD = """\
---
title: Long
date: 2026-12-01 09:00
channels: [x]
thread: true
summary: "{text}"
---
Body.
"""


def test_thread_parts_reply_to_the_previous_part(tmp_path: Path, receiver: Receiver) -> None:
    text = " ".join(f"Sentence number {i} about our new coffee roast." for i in range(12))
    root = make_repo(
        tmp_path,
        receiver.url,
        {"content/long.md": THREAD.format(text=text)},
        channels='  x: {handle: "@cafe"}\n',
    )
    x = FakeThreads(fail_part=1)
    one = run(root, publishers={"x": x}, policy=_one_attempt())
    parts = x.sent[0].parts
    assert parts >= 3
    assert [o.state for o in one.outcomes] == ["published", "failed"] + ["waiting"] * (parts - 2)
    assert one.outcomes[2].message == "waits for part 2 of the thread, which did not go out"
    assert one.exit_code == EXIT_RETRY
    two = run(root, publishers={"x": x})
    assert [o.state for o in two.outcomes] == ["published"] * (parts - 1)
    assert [i.part for i in x.sent] == list(range(parts))
    for item in x.sent[1:]:
        assert item.parent is not None and item.parent.remote_id == f"x{item.part - 1}"
        assert item.root is not None and item.root.remote_id == "x0"
    assert x.sent[0].parent is None


def _one_attempt():  # type: ignore[no-untyped-def]
    from cmpub.deploy.publishers.http import RetryPolicy

    return RetryPolicy(max_attempts=1)


def test_records_round_trip() -> None:
    r = Record("a", "x", 0, "pending", "k", "h", "2026-12-01T09:00:00Z")
    assert Record.from_dict(json.loads(r.to_json())) == r


@pytest.mark.parametrize("channel", ["site", "outbox"])
def test_only_one_channel(tmp_path: Path, receiver: Receiver, channel: str) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    result = run(root, channels=[channel])
    assert {o.channel for o in result.outcomes} == {channel}
