"""Kill ``cmpub deploy`` (SIGKILL, a real process) at every step boundary, run it again, and
check against the receiver's own log and the outbox: zero duplicates, zero losses, and
``uncertain`` only where the receiver really may have the post and cannot say."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from cmpub.deploy import deploy
from tests.support.deploy import (
    NOW,
    NOW_DT,
    POSTS,
    SECRET,
    Receiver,
    cmpub_env,
    git,
    log,
    make_repo,
    outbox_journal,
    records,
    run_cli,
    start_cli,
)

#: Two posts on three channels; publication order: a→site, a→outbox, a→webhook, b→site, ...
FAULT_POSTS = {k: POSTS[k] for k in ("content/a.md", "content/b.md")}
ITEMS = {f"{p}/{c}-0.json" for p in "ab" for c in ("site", "outbox", "webhook")}

#: (kill point, does the receiver already hold a→webhook when the process dies?)
KILL_POINTS: list[tuple[str, bool]] = [
    ("after-claim", False),  # claim committed, not pushed
    ("during-commit:1", False),  # claim staged, not committed
    ("before-push:1", False),  # claim committed, push not started
    ("after-push:1", False),  # claim pushed, nothing sent
    ("before-network:3", False),  # a→site and a→outbox out, a→webhook not sent
    ("during-network", True),  # the receiver has a→webhook, the answer never arrives
    ("after-network:3", True),  # a→webhook answered, not recorded
    ("before-record-commit", True),  # everything recorded, nothing committed
    ("during-commit:2", True),  # records staged, not committed
    ("before-push:2", True),  # records committed, not pushed
    ("after-push:2", True),  # records pushed: the run only did not exit
]


def _kill(root: Path, receiver: Receiver, point: str) -> None:
    if point == "during-network":
        receiver.stall = True
        proc = start_cli(root, "deploy", "--now", NOW)
        assert receiver.in_flight.wait(30), proc.communicate()
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        receiver.stall = False
        receiver.release.set()
        assert proc.returncode == -signal.SIGKILL
        return
    env = cmpub_env({"CMPUB_TEST_HOOKS": "1", "CMPUB_TEST_KILL_AT": point})
    done = run_cli(root, "deploy", "--now", NOW, env=env)
    assert done.returncode == -signal.SIGKILL, (done.stdout, done.stderr)


CASES = [(point, False) for point, _ in KILL_POINTS] + [
    ("during-network", True),
    ("after-network:3", True),
]


@pytest.mark.parametrize(
    ("point", "lookup"), CASES, ids=[p + ("+lookup" if lk else "") for p, lk in CASES]
)
def test_killed_then_rerun(tmp_path: Path, point: str, lookup: bool) -> None:
    """``lookup``: the receiver answers cmpub's lookup (only matters where it holds the post)."""
    with Receiver(lookup=lookup) as receiver:
        root = make_repo(tmp_path, receiver.url, FAULT_POSTS)
        _kill(root, receiver, point)
        again = run_cli(root, "deploy", "--now", NOW)
        third = deploy(root, NOW_DT, environ={"CMPUB_WEBHOOK_SECRET": SECRET})
    ledger = records(root)
    # zero duplicates: the receiver kept each key at most once, the outbox wrote each once
    assert receiver.duplicates() == {}
    journal = [e["key"] for e in outbox_journal(root)]
    assert sorted(journal) == sorted(set(journal)) and len(journal) == 2
    # zero losses: every item is published, or uncertain where the receiver holds it
    assert set(ledger) == ITEMS
    states = {path: r["state"] for path, r in ledger.items()}
    expect_uncertain = point in ("during-network", "after-network:3") and not lookup
    webhook_a = ledger["a/webhook-0.json"]
    if expect_uncertain:
        assert states.pop("a/webhook-0.json") == "uncertain"
        assert receiver.created.get(webhook_a["idempotency_key"]) == 1
        assert again.returncode == 4 and third.exit_code == 4
        assert "uncertain  a → Webhook: the webhook at 127.0.0.1" in again.stdout
    else:
        assert again.returncode == 0, (again.stdout, again.stderr)
    assert set(states.values()) == {"published"}
    for name in ("a/webhook-0.json", "b/webhook-0.json"):
        assert receiver.created.get(ledger[name]["idempotency_key"]) == 1
    # the third run has nothing left to do; the ledger is committed and pushed
    assert third.outcomes == [] and third.headline().startswith("nothing was due")
    assert git(root, "status", "--porcelain") == ""
    assert log(root) == log(tmp_path / "remote.git", "main")
