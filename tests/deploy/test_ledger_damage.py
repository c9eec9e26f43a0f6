"""A damaged ledger record holds its item (never "not published"); stray files in ledger/ are
reported and the rest goes on. Real git repositories, real ``cmpub`` processes."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.deploy import NOW, POSTS, Receiver, git, log, make_repo, published, run_cli

NO_OLD = {k: v for k, v in POSTS.items() if k != "content/old.md"}
RECORD = "ledger/a/webhook-0.json"
FIX = (
    "nothing is sent for it until the record is repaired. Restore it with"
    f" `git checkout -- {RECORD}` (a change not committed yet) or from its history"
    f" (`git log -p -- {RECORD}`)"
)


def _set(text: str, key: str, value: object) -> str:
    data = json.loads(text)
    data[key] = value
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


DAMAGE = {
    "truncated": (
        lambda t: t[:200],
        ":6:19: this ledger record cannot be read (not valid JSON: Unterminated string; the file"
        " ends before the record does (cut short?))",
    ),
    "not json": (
        lambda t: "state = published\n",
        ":1:1: this ledger record cannot be read (not valid JSON: Expecting value; the file ends"
        " before the record does (cut short?))",
    ),
    "empty": (lambda t: "", ": this ledger record cannot be read (the file is empty)"),
    "a list": (
        lambda t: f"[{t}]",
        ": this ledger record cannot be read (it holds a list where a record (an object) belongs)",
    ),
    "wrong type": (
        lambda t: _set(t, "part", "0"),
        ":27:3: this ledger record cannot be read ('part' is text where a whole number belongs)",
    ),
    "missing field": (
        lambda t: json.dumps({k: v for k, v in json.loads(t).items() if k != "state"}),
        ": this ledger record cannot be read ('state' is missing)",
    ),
    "unknown state": (
        lambda t: _set(t, "state", "publishd"),
        ":37:3: this ledger record cannot be read (unknown state 'publishd' (did you mean"
        " 'published'?))",
    ),
    "another item": (
        lambda t: _set(t, "post", "b"),
        ": this ledger record cannot be read (it is the record of 'b' on webhook part 1, but"
        " its path is that of 'a' on webhook part 1 (moved or copied by hand?))",
    ),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_record_holds_its_item_and_says_how_to_repair_it(
    tmp_path: Path, receiver: Receiver, kind: str
) -> None:
    root = published(tmp_path, receiver.url)
    damage, said = DAMAGE[kind]
    path = root / RECORD
    path.write_text(damage(path.read_text()))
    git(root, "commit", "-qam", "a hand edit gone wrong")
    before = path.read_bytes()

    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 4, result.stdout + result.stderr  # a person must act
    message = (
        f"{RECORD}{said}, so cmpub cannot tell whether 'a' went out on Webhook (part 1): {FIX}"
    )
    assert f"damaged    {message}" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == "cmpub deploy: nothing was due, 1 needs a person"
    assert len(receiver.posts) == 2 and receiver.duplicates() == {}  # never sent again
    assert path.read_bytes() == before  # never overwritten
    status = run_cli(root, "status", "--now", NOW)
    assert status.returncode == 0, status.stderr
    assert (
        "Damaged ledger records (nothing is sent for them until they are repaired): 1\n"
        f"  {message}\n"
    ) in status.stdout


def test_uncommitted_damage_is_not_committed_and_git_checkout_repairs_it(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = published(tmp_path, receiver.url)
    path = root / RECORD
    path.write_text(path.read_text()[:120])
    head = log(root)
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 4
    assert f"`git checkout -- {RECORD}`" in result.stdout
    # deploy keeps an interrupted run's records, but never commits a damaged one
    assert log(root) == head
    assert git(root, "status", "--porcelain") == f" M {RECORD}\n"
    git(root, "checkout", "--", RECORD)  # the repair the message gives
    again = run_cli(root, "deploy", "--now", NOW)
    assert again.returncode == 0, again.stdout
    assert again.stdout.splitlines()[-1] == "cmpub deploy: nothing was due"
    assert len(receiver.posts) == 2


def test_a_damaged_thread_part_holds_the_parts_after_it() -> None:
    from tests.deploy.test_deploy_plan import NOW as T0
    from tests.deploy.test_deploy_plan import buckets, run, variant

    v = variant("t", T0 - timedelta(minutes=5), channel="mastodon", parts=3)
    result = run([v], damaged={("t", "mastodon", 0): "ledger/t/mastodon-0.json: damaged"})
    assert buckets(result) == {
        "waiting": ["t/mastodon/1", "t/mastodon/2"],
        "damaged": ["t/mastodon/0"],
    }
    assert result.damaged[0].why == "ledger/t/mastodon-0.json: damaged"
    assert result.to_send() == [] and result.needs_person


STRAYS = {
    "ledger/list.json": "[1, 2, 3]\n",
    "ledger/README.md": "What went out.\n",
    "ledger/a/notes.txt": "call the café\n",
    "ledger/a/site-0.json.bak": "{}\n",
}


def test_stray_files_are_reported_and_the_rest_goes_on(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, {**NO_OLD, **STRAYS})
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for path, why in (
        ("ledger/README.md", "directly in the ledger folder, outside a post's folder"),
        ("ledger/a/notes.txt", "not named like a ledger record"),
        ("ledger/a/site-0.json.bak", "not named like a ledger record"),
        ("ledger/list.json", "directly in the ledger folder, outside a post's folder"),
    ):
        assert (
            f"warning    {path}: {why}; cmpub ignores it (the ledger folder holds only"
            " <post id>/<channel>-<part>.json records: move other files out of it)"
        ) in lines
    assert lines[-1] == "cmpub deploy: 6 published; ledger committed and pushed"
    from cmpub.read.ledger import scan

    found = scan(root)
    assert len(found.records) == 6 and found.damaged == {}
    assert {r.state for r in found.records.values()} == {"published"}
    assert (root / "ledger/list.json").read_text() == STRAYS["ledger/list.json"]
    status = run_cli(root, "status", "--now", NOW)
    assert status.returncode == 0, status.stderr
    assert "Warnings: 4\n  ledger/README.md: directly in the ledger folder" in status.stdout
    assert run_cli(root, "build").returncode == 0  # the site's links read the ledger too


def test_a_symlink_or_a_pipe_is_never_read(tmp_path: Path) -> None:
    import os

    from cmpub.read.ledger import scan

    folder = tmp_path / "ledger" / "a"
    folder.mkdir(parents=True)
    os.symlink("/proc/self/environ", folder / "site-0.json")
    os.mkfifo(folder / "outbox-0.json")  # reading it would hang
    found = scan(tmp_path)
    assert found.records == {}
    assert {k: d.problem for k, d in found.damaged.items()} == {
        ("a", "outbox", 0): "not a regular file, where a record file was expected",
        ("a", "site", 0): "a symbolic link, where a record file was expected",
    }
