"""A published post renamed without ``id:`` is held (never published again) until the editor
adds the old id; a deleted published post is reported once in status. Real git repositories,
real ``cmpub`` processes, a real webhook receiver."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.deploy import NOW, Receiver, git, published, records, run_cli


def held(new: str, old: str, how: str) -> str:
    return (
        f"renamed    content/{new}.md is content/{old}.md renamed ({how}), which already went"
        f" out as '{old}' on Outbox, Site, Webhook: without 'id:' the new file name gives it"
        f" the new id '{new}', so it would be posted again. Add 'id: {old}' to the front matter"
        f" of content/{new}.md (or give it a new 'id:' to post it again on purpose)"
    )


def test_records_keep_the_post_file_and_the_hash_of_its_bytes(
    tmp_path: Path, receiver: Receiver
) -> None:
    import hashlib

    root = published(tmp_path, receiver.url)
    record = records(root)["a/webhook-0.json"]
    assert record["source"] == "content/a.md"
    digest = hashlib.sha256((root / "content/a.md").read_bytes()).hexdigest()
    assert record["source_sha256"] == digest


def test_a_renamed_published_post_is_held_until_its_old_id_is_added(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = published(tmp_path, receiver.url)
    git(root, "mv", "content/a.md", "content/alpha.md")
    git(root, "commit", "-qm", "a nicer file name")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 4, result.stdout + result.stderr
    assert held("alpha", "a", "the same text") in result.stdout.splitlines()
    assert len(receiver.posts) == 2 and receiver.duplicates() == {}
    assert not (root / "ledger/alpha").exists()
    status = run_cli(root, "status", "--now", NOW).stdout
    assert "Renamed after going out (held until the old id is added): 1\n  content/alpha.md" in (
        status
    )
    assert "Deleted after going out" not in status

    text = (root / "content/alpha.md").read_text()
    (root / "content/alpha.md").write_text(text.replace("---\n", "---\nid: a\n", 1))
    git(root, "commit", "-qam", "keep the id")
    again = run_cli(root, "deploy", "--now", NOW)
    assert again.returncode == 0, again.stdout
    assert again.stdout.splitlines()[-1] == "cmpub deploy: nothing was due"
    assert len(receiver.posts) == 2


def test_renamed_and_edited_is_found_by_git(tmp_path: Path, receiver: Receiver) -> None:
    root = published(tmp_path, receiver.url)
    git(root, "mv", "content/b.md", "content/bravo.md")
    git(root, "commit", "-qm", "rename")
    path = root / "content/bravo.md"
    path.write_text(path.read_text().replace("Body of Bravo.", "Body of Bravo, edited."))
    git(root, "commit", "-qam", "and a typo")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 4, result.stdout
    assert held("bravo", "b", "git sees the rename") in result.stdout.splitlines()
    assert len(receiver.posts) == 2


def test_records_written_before_they_kept_the_file_are_followed_through_git(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = published(tmp_path, receiver.url)
    for path in (root / "ledger/a").glob("*.json"):
        data = json.loads(path.read_text())
        del data["source"], data["source_sha256"]
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    git(root, "commit", "-qam", "records of an older cmpub")
    (root / "content/2026").mkdir()
    git(root, "mv", "content/a.md", "content/2026/a.md")
    git(root, "commit", "-qm", "file by year")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 4, result.stdout
    assert (
        "renamed    content/2026/a.md is content/a.md renamed (git sees the rename), which"
        " already went out as 'a' on Outbox, Site, Webhook"
    ) in result.stdout
    assert len(receiver.posts) == 2


def test_a_new_id_on_purpose_goes_out(tmp_path: Path, receiver: Receiver) -> None:
    root = published(tmp_path, receiver.url)
    git(root, "mv", "content/a.md", "content/alpha.md")
    path = root / "content/alpha.md"
    path.write_text(path.read_text().replace("---\n", "---\nid: alpha-again\n", 1))
    git(root, "commit", "-qam", "post it again")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 0, result.stdout
    assert "published  alpha-again → Webhook" in result.stdout
    assert len(receiver.posts) == 3


def test_a_deleted_published_post_is_reported_once_in_status(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = published(tmp_path, receiver.url)
    git(root, "rm", "-q", "content/a.md")
    git(root, "commit", "-qm", "not that one")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 0, result.stdout  # not an error
    status = run_cli(root, "status", "--now", NOW)
    assert status.returncode == 0
    assert (
        "Deleted after going out: 1\n  'a' (content/a.md) went out on Outbox, Site, Webhook;"
        " its file is gone since (the ledger keeps its records; the copies on the networks"
        " stay up)\n"
    ) in status.stdout
    assert sorted(records(root)) == [
        "a/outbox-0.json",
        "a/site-0.json",
        "a/webhook-0.json",
        "b/outbox-0.json",
        "b/site-0.json",
        "b/webhook-0.json",
    ]
