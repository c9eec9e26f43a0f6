"""The commands: deploy (exit codes, dry run, step summary, two processes at once), status,
pause and resume."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cmpub.cli.app import main
from cmpub.deploy import deploy
from cmpub.deploy.publishers.base import Capabilities, Item, Receipt, Secret
from cmpub.read import gitrepo
from tests.support.deploy import (
    NOW,
    NOW_DT,
    POSTS,
    SECRET,
    Answer,
    Receiver,
    git,
    log,
    make_repo,
    outbox_journal,
    post,
    records,
    start_cli,
)

ENV = {"CMPUB_WEBHOOK_SECRET": SECRET}
NO_OLD = {k: v for k, v in POSTS.items() if k != "content/old.md"}


def cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, list(args), env=ENV if env is None else env)


def test_help_documents_exit_codes_and_environment() -> None:
    text = cli("deploy", "--help").output
    for line in (
        "0  everything due went out (or nothing was due)",
        "3  something failed that the next run retries",
        "4  a person must act: publishing is paused, a post was missed, a",
        "CMPUB_WEBHOOK_SECRET",
        "GITHUB_STEP_SUMMARY",
        "CMPUB_TEST_KILL_AT",
    ):
        assert line in text, line


def test_step_summary(project: Path, receiver: Receiver, tmp_path: Path) -> None:
    receiver.script = [Answer(200), Answer(503)] + [Answer(503)] * 2
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    result = cli(
        "deploy", str(project), "--now", NOW, env={**ENV, "GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 4, result.output
    text = summary.read_text()
    assert text.startswith("previous step\n## cmpub deploy · 2026-12-01T09:30:00Z\n")
    assert "**5 published, 1 to retry on the next run, 3 need a person.**" in text
    assert "### Went out\n\n| Post | Channel | Link |\n|---|---|---|\n" in text
    assert "| Alpha (`a`) | Site | [https://cafe.example/a/](https://cafe.example/a/) |" in text
    assert "| Alpha (`a`) | Webhook | [—" not in text
    assert (
        "| `b` | Webhook | the webhook at 127.0.0.1 had a problem on its side while sending"
        " 'b' (503) (" in text
    )
    assert "| the next run retries |" in text
    assert "### Needs a person\n\n- missed: old → Site: its time (2026-11-20T08:00:00Z)" in text
    assert "publish with `cmpub deploy --include-missed`" in text
    assert "Next up: `future` on Site at 2026-12-05T08:00:00Z (3 in the future)." in text
    assert SECRET not in text


def test_exit_codes(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    dry = cli("deploy", str(root), "--now", NOW, "--dry-run")
    assert dry.exit_code == 0 and "Would publish: 6" in dry.output
    assert '"idempotency_key": "' in dry.output
    receiver.script = [Answer(503)] * 3
    first = cli("deploy", str(root), "--now", NOW, "--no-push")
    assert first.exit_code == 3, first.output
    assert "failed     a → Webhook: the webhook at 127.0.0.1 had a problem" in first.output
    assert "(a later run retries)" in first.output
    second = cli("deploy", str(root), "--now", NOW)
    assert second.exit_code == 0, second.output
    assert second.output.splitlines()[-1] == (
        "cmpub deploy: 1 published; ledger committed and pushed"
    )
    assert cli("deploy", str(root), "--now", "yesterday").exit_code == 2
    assert cli("deploy", str(root), "--channel", "twiter").exit_code == 2


def test_a_problem_stops_everything_with_exit_1(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, {"content/bad.md": post("Bad", "someday")})
    summary = tmp_path / "summary.md"
    result = cli(
        "deploy", str(root), "--now", NOW, env={**ENV, "GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 1
    assert "content/bad.md:3:" in result.output
    assert "Stopped before publishing anything" in summary.read_text()
    assert not (root / "ledger").exists() and receiver.log == []


def test_another_deploy_holding_the_lock(project: Path) -> None:
    with gitrepo.lock(project / ".git" / gitrepo.LOCK_NAME, 1):
        result = cli("deploy", str(project), "--now", NOW, "--wait", "0")
    assert result.exit_code == 3
    assert "another deploy is running on this checkout (process " in result.output


def test_two_processes_at_once_publish_each_item_once(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    procs = [start_cli(root, "deploy", "--now", NOW) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert len(receiver.posts) == 2 and receiver.duplicates() == {}
    assert len(outbox_journal(root)) == 2
    assert sorted(o.splitlines()[-1] for o, _ in outs) == [
        "cmpub deploy: 6 published; ledger committed and pushed",
        "cmpub deploy: nothing was due",
    ]
    assert {r["state"] for r in records(root).values()} == {"published"}


def test_status(project: Path, receiver: Receiver) -> None:
    receiver.script = [Answer(401, body={"error": "bad token"})]
    deploy(project, NOW_DT, environ=ENV, sleep=lambda s: None, channels=["webhook"])
    result = cli("status", str(project), "--now", NOW, env={})
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.splitlines()[0] == "Due now: 4"
    assert "  a → Site at 2026-12-01T08:00:00Z" in text
    assert "Next up (7 days): 3\n  future → Site at 2026-12-05T08:00:00Z" in text
    assert "Missed: 3\n  old → Site at 2026-11-20T08:00:00Z: its time" in text
    assert "Failed: 1\n  a → Webhook at 2026-12-01T08:00:00Z: the webhook at 127.0.0.1" in text
    assert "Published in the last 7 days: 1\n  b → Webhook at 2026-12-01T09:30:00Z" in text
    assert (
        "Webhook: the credential was rejected on 2026-12-01T09:30:00Z (the webhook at 127.0.0.1"
        " rejected the credentials while sending 'a' (401) (bad token): check or replace"
        " CMPUB_WEBHOOK_SECRET); replace it, then run 'cmpub deploy --retry-failed'"
    ) in text
    assert (
        "Webhook: the signing secret is missing: set the environment variable CMPUB_WEBHOOK_SECRET"
        in text
    )
    assert git(project, "status", "--porcelain") == ""


def test_status_warns_about_a_quiet_channel(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, {"content/a.md": post("A", "2026-11-01 09:00")})
    config = root / "cmpub.yaml"
    config.write_text(
        config.read_text().replace(
            "deploy:", "  x: {handle: '@cafe'}\ncadence:\n  default:\n    max_gap_days: 10\ndeploy:"
        )
    )
    (root / "ledger/a").mkdir(parents=True)
    (root / "ledger/a/x-0.json").write_text(
        json.dumps(
            {
                "post": "a",
                "channel": "x",
                "part": 0,
                "state": "published",
                "idempotency_key": "k",
                "content_hash": "h",
                "publish_at": "2026-11-01T08:00:00Z",
                "published_at": "2026-11-01T08:00:00Z",
            }
        )
    )
    text = cli("status", str(root), "--now", NOW).output
    assert (
        "X: nothing published for 30 days (the target is a post at least every 10 days);"
        " nothing is planned"
    ) in text


def test_pause_and_resume(project: Path, receiver: Receiver, tmp_path: Path) -> None:
    paused = cli("pause", str(project), "--reason", "a crisis", "--now", NOW)
    assert paused.exit_code == 0, paused.output
    assert paused.output.startswith("Publishing is paused since 2026-12-01T09:30:00Z by ")
    assert "Committed cmpub-pause.json and pushed it." in paused.output
    assert log(tmp_path / "remote.git", "main")[0] == "cmpub: pause publishing (a crisis)"
    data = json.loads((project / "cmpub-pause.json").read_text())
    assert data["reason"] == "a crisis" and data["since"] == "2026-12-01T09:30:00Z"

    result = cli("deploy", str(project), "--now", NOW)
    assert result.exit_code == 4
    assert result.output.startswith("PAUSED: publishing is paused since 2026-12-01T09:30:00Z")
    assert "Nothing was published." in result.output
    assert receiver.log == [] and not (project / "ledger").exists()
    status = cli("status", str(project), "--now", NOW)
    assert status.output.startswith("PAUSED: publishing is paused since")
    assert cli("pause", str(project)).output.startswith("Already paused:")

    resumed = cli("resume", str(project))
    assert resumed.exit_code == 0
    assert resumed.output.startswith("Publishing resumed; the pause was set on 2026-12-01T09:30")
    assert not (project / "cmpub-pause.json").exists()
    assert log(tmp_path / "remote.git", "main")[0].startswith("cmpub: resume publishing (")
    assert cli("deploy", str(project), "--now", NOW).exit_code == 4  # 'old' was missed
    assert len(receiver.posts) == 2
    assert cli("resume", str(project)).output == "Publishing is not paused\n"


class FakeMastodon:
    """A publisher with native scheduling: hands future posts over, can pull them back."""

    id = "mastodon"
    name = "Mastodon"
    capabilities = Capabilities(native_schedule=True, lookup=True)

    def __init__(self) -> None:
        self.scheduled: dict[str, Item] = {}
        self.cancelled: list[str] = []
        self.sent: list[Item] = []

    def publish(self, item: Item) -> Receipt:
        if item.publish_at > NOW_DT:
            sid = f"s{len(self.scheduled) + 1}"
            self.scheduled[sid] = item
            return Receipt(sid, None, {"scheduled": True, "scheduled_id": sid})
        self.sent.append(item)
        return Receipt(f"m{len(self.sent)}", f"https://social.example/@cafe/{len(self.sent)}")

    def cancel_scheduled(self, receipt: Receipt) -> bool:
        self.cancelled.append(receipt.remote_id)
        return self.scheduled.pop(receipt.remote_id, None) is not None

    def update_scheduled(self, receipt: Receipt, item: Item) -> Receipt | None:
        self.scheduled[receipt.remote_id] = item
        return receipt

    def check_scheduled(self, receipt: Receipt, item: Item) -> Receipt | None:
        if receipt.remote_id not in self.scheduled:
            return None
        return Receipt("m-from-s", "https://social.example/@cafe/777", {"id": "m-from-s"})

    def lookup(self, item: Item) -> Receipt | None:
        return None

    def secrets(self) -> tuple[Secret, ...]:
        return ()


def test_pause_pulls_back_natively_scheduled_posts(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(
        tmp_path,
        receiver.url,
        {"content/later.md": post("Later", "2026-12-05 09:00", channels="mastodon")},
        channels=(
            '  mastodon: {handle: "@cafe@social.example", instance: https://social.example,'
            " schedule: native}\n"
        ),
    )
    masto = FakeMastodon()

    def go() -> Any:
        return deploy(root, NOW_DT, environ=ENV, publishers={"mastodon": masto})

    first = go()
    assert [o.state for o in first.outcomes] == ["scheduled"]
    assert records(root)["later/mastodon-0.json"]["state"] == "scheduled"
    assert cli("pause", str(root), "--reason", "crisis", "--now", NOW).exit_code == 0
    paused = go()
    assert paused.exit_code == 4
    assert masto.cancelled == ["s1"] and masto.scheduled == {}
    record = records(root)["later/mastodon-0.json"]
    assert record["state"] == "failed" and record["retryable"] is True
    assert "while publishing is paused" in record["error"]
    assert log(root)[0] == "cmpub: pause: pulled back 1 scheduled posts [skip ci]"
    assert cli("resume", str(root)).exit_code == 0
    again = go()
    assert [o.state for o in again.outcomes] == ["scheduled"]
    assert list(masto.scheduled) == ["s1"]
    assert masto.sent == []
    # its time passes: Mastodon published it; the ledger learns the status's address
    later = deploy(
        root, datetime(2026, 12, 5, 9, tzinfo=UTC), environ=ENV, publishers={"mastodon": masto}
    )
    assert [(o.state, o.url) for o in later.outcomes] == [
        ("published", "https://social.example/@cafe/777")
    ]
    assert records(root)["later/mastodon-0.json"]["state"] == "published"
    assert masto.sent == []


def test_an_edit_after_the_hand_off_updates_the_scheduled_post(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = make_repo(
        tmp_path,
        receiver.url,
        {"content/later.md": post("Later", "2026-12-05 09:00", channels="mastodon")},
        channels=(
            '  mastodon: {handle: "@cafe@social.example", instance: https://social.example,'
            " schedule: native}\n"
        ),
    )
    masto = FakeMastodon()
    deploy(root, NOW_DT, environ=ENV, publishers={"mastodon": masto})
    before = records(root)["later/mastodon-0.json"]
    (root / "content/later.md").write_text(
        post("Later, edited", "2026-12-05 09:00", channels="mastodon")
    )
    git(root, "commit", "-qam", "edit")
    result = deploy(root, NOW_DT, environ=ENV, publishers={"mastodon": masto})
    assert [(o.state, o.message) for o in result.outcomes] == [("scheduled", "updated")]
    after = records(root)["later/mastodon-0.json"]
    assert after["content_hash"] != before["content_hash"]
    assert masto.scheduled["s1"].title == "Later, edited"
    assert result.warnings == []
