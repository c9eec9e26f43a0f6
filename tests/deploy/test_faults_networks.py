"""Kill ``cmpub deploy`` (SIGKILL, a real process) at every step boundary while it publishes to
the real local Bluesky PDS, to the Mastodon fake (tests/support/servers/mastodon_fake.py) and to
``mastodon-mock``, run it again, and check against each server's own records: every due item
exactly once (zero duplicates, zero losses), thread replies pointing at the right parent, the
ledger published with the server's ids and URLs, committed and pushed.

The project (networks_support.POSTS) has 4 items on its one network, sent in this order:
``a``, ``t`` part 1, ``t`` part 2 (a reply to part 1), ``b``. ``before-network:3`` dies with
``a`` and ``t`` part 1 out; ``during-network:3`` dies once the server has stored ``t`` part 2
and before its answer arrives; ``after-network:3`` once the answer arrived, before the record.

Both publishers can look an earlier attempt up (Bluesky: the record at the item's deterministic
key; Mastodon: the account's recent statuses), so no kill point ends ``uncertain``. The one
place where a publisher truly cannot know is Mastodon when the account posted more than the
200 statuses cmpub reads back (test_mastodon_cannot_know_is_uncertain_and_never_resent).

Also: a fresh clone rerunning after the kill (GitHub Actions: the killed checkout is gone),
a dropped connection and a timeout after the PDS created the post, Mastodon's 500 then 200,
a 502 after the status was stored, 429 with Retry-After, a timeout after the status was
stored, a revoked token, and the Idempotency-Key replay when the lookup cannot see a status.

The PDS is the session's (tests/deploy/publishers/conftest.py), with a new account per test; the
Mastodon fake is new per test; mastodon-mock runs once for this module, a new user per test.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from cmpub.deploy import deploy
from cmpub.deploy.plan import parse_iso
from tests.deploy.publishers.conftest import Pds, pds  # noqa: F401  (the session's real PDS)
from tests.support.deploy import clone, git, git_env, log, records, run_cli, start_cli
from tests.support.networks import (
    NOW,
    ORDER,
    THREAD_TEXT,
    HoldingMastodon,
    PdsProxy,
    bluesky_posts,
    leaked,
    make_repo,
    mock_statuses,
    mock_user,
    new_account,
    post,
    serve_mastodon_mock,
)

NOW_DT = parse_iso(NOW).astimezone(UTC)
#: 15 minutes later: a claim left by a dead run in another checkout is past its 10-minute lease.
LATER = "2026-12-01T10:45:00+01:00"
BSKY_CREATE = "com.atproto.repo.createRecord"
MASTODON_TOKEN = "fake-token-7f3a9c1e5b"  # the fake's default token
#: Read at import (the autouse ``clean_environ`` fixture removes CMPUB_* variables per test).
REQUIRE_MOCK = os.environ.get("CMPUB_REQUIRE_MASTODON_MOCK") == "1"

#: Every step boundary deploy has, in the order a run meets them (see cmpub/deploy/run.py).
KILL_POINTS = [
    "after-claim",  # claim committed, not pushed
    "during-commit:1",  # claim staged, not committed
    "before-push:1",  # claim committed, push not started
    "after-push:1",  # claim pushed, nothing sent
    # (before-network:1 leaves what after-push:1 leaves: nothing persists between the two)
    "before-network:3",  # a and t part 1 out and recorded (not committed), t part 2 not sent
    "during-network:2",  # the server stored t part 1, its answer never arrived
    "during-network:3",  # the server stored t part 2 (the reply), its answer never arrived
    "after-network:2",  # t part 1 answered, not recorded
    "after-network:3",  # t part 2 answered, not recorded
    "before-record-commit",  # everything recorded, nothing committed
    "during-commit:2",  # records staged, not committed
    "before-push:2",  # records committed, not pushed
    "after-push:2",  # records pushed: the run only did not exit
]


# ----------------------------------------------------------------------------- shared


def env_with(**extra: str) -> dict[str, str]:
    env = git_env()
    env.update(extra)
    return env


def kill_deploy(root: Path, env: dict[str, str], point: str, server: Any) -> str:
    """Run deploy, killed with SIGKILL at ``point``; return what it printed."""
    if point.startswith("during-network"):
        server.hold(int(point.partition(":")[2] or 1))
        proc = start_cli(root, "deploy", "--now", NOW, env=env)
        try:
            assert server.stored.wait(30), "the server never stored the held post"
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            server.release.set()
        assert proc.returncode == -signal.SIGKILL, (out, err)
        return out + err
    hooks = {"CMPUB_TEST_HOOKS": "1", "CMPUB_TEST_KILL_AT": point}
    done = run_cli(root, "deploy", "--now", NOW, env={**env, **hooks})
    assert done.returncode == -signal.SIGKILL, (done.stdout, done.stderr)
    return done.stdout + done.stderr


def expected_texts(root: Path) -> dict[tuple[str, int], str]:
    """(post, part) -> the exact text of that item, from the built manifest."""
    manifest = json.loads((root / "dist" / "manifest.json").read_text(encoding="utf-8"))
    return {
        (v["post"], i): part["text"]
        for v in manifest["variants"]
        for i, part in enumerate(v.get("parts", []))
    }


def ledger_of(root: Path, channel: str) -> dict[tuple[str, int], dict[str, Any]]:
    out = {}
    for rel, record in records(root).items():
        post_id, name = rel.rsplit("/", 1)
        assert name.startswith(f"{channel}-"), rel
        out[(post_id, record["part"])] = record
    return out


def assert_committed_and_pushed(base: Path, root: Path) -> None:
    assert git(root, "status", "--porcelain") == ""
    assert log(root) == log(base / "remote.git", "main")


def assert_nothing_left(root: Path, environ: dict[str, str]) -> None:
    """A third run (same clock) has nothing to do."""
    third = deploy(root, NOW_DT, environ=environ)
    assert third.outcomes == [] and third.exit_code == 0, third.outcomes
    assert third.headline().startswith("nothing was due")


# ----------------------------------------------------------------------------- Bluesky


class Bluesky:
    """One test's account on the real PDS, reached through a proxy that can hold an answer."""

    def __init__(self, server: Pds, proxy: PdsProxy, base: Path) -> None:
        self.pds, self.proxy = server, proxy
        self.account = new_account(server.url)
        settings = f'{{handle: "{self.account.handle}", service: "{proxy.url}"}}'
        self.base = base
        self.root = make_repo(base, "bluesky", settings)
        self.env = env_with(CMPUB_BLUESKY_APP_PASSWORD=self.account.password)
        self.stored, self.release = proxy.stored, proxy.release

    def hold(self, nth: int) -> None:
        self.proxy.mode, self.proxy.nth = "stall", nth

    def posts(self) -> list[dict[str, Any]]:
        return bluesky_posts(self.pds.url, self.account.did)

    def check(self, *outputs: str, root: Path | None = None) -> None:
        """Each item exactly once on the PDS, the thread linked, the ledger right, pushed."""
        root = root or self.root
        texts = expected_texts(root)
        assert sorted(texts) == sorted(ORDER)
        posts = self.posts()
        # zero duplicates, zero losses: the PDS holds each item's text exactly once
        assert Counter(p["value"]["text"] for p in posts) == Counter(texts.values())
        by_text = {p["value"]["text"]: p for p in posts}
        ledger = ledger_of(root, "bluesky")
        assert sorted(ledger) == sorted(ORDER)
        for key, record in ledger.items():
            on_pds = by_text[texts[key]]
            rkey = on_pds["uri"].rsplit("/", 1)[1]
            assert record["state"] == "published", (key, record)
            assert record["remote_id"] == on_pds["uri"]
            assert record["extra"]["cid"] == on_pds["cid"]
            assert record["url"] == f"https://bsky.app/profile/{self.account.handle}/post/{rkey}"
            assert record["error"] is None
        # the thread: part 2 replies to part 1 (root and parent), with its exact uri and cid
        first = by_text[texts[("t", 0)]]
        ref = {"uri": first["uri"], "cid": first["cid"]}
        assert by_text[texts[("t", 1)]]["value"]["reply"] == {"root": ref, "parent": ref}
        assert all("reply" not in by_text[texts[k]]["value"] for k in ORDER if k != ("t", 1))
        # each record was created by exactly one createRecord: a retry never reached the PDS
        assert self.proxy.count(BSKY_CREATE) == len(ORDER)
        assert_committed_and_pushed(self.base, root)
        assert leaked(self.account.password, root, *outputs) == []


@pytest.fixture
def bluesky(pds: Pds, tmp_path: Path) -> Iterator[Bluesky]:  # noqa: F811
    with PdsProxy(pds.url) as proxy:
        yield Bluesky(pds, proxy, tmp_path)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_bluesky_killed_then_rerun(bluesky: Bluesky, point: str) -> None:
    died = kill_deploy(bluesky.root, bluesky.env, point, bluesky)
    bluesky.proxy.mode = None
    again = run_cli(bluesky.root, "deploy", "--now", NOW, env=bluesky.env)
    assert again.returncode == 0, (again.stdout, again.stderr)
    assert "uncertain" not in again.stdout
    bluesky.check(died, again.stdout, again.stderr)
    assert_nothing_left(bluesky.root, {"CMPUB_BLUESKY_APP_PASSWORD": bluesky.account.password})
    bluesky.check()


def test_bluesky_killed_then_rerun_from_a_fresh_clone(bluesky: Bluesky, tmp_path: Path) -> None:
    """GitHub Actions: the killed run's checkout is gone (its in-flight markers and the records
    it wrote for a and t part 1 with it); a fresh clone runs 15 minutes later, finds the pushed
    claims past their lease and asks the PDS about each: a, t part 1 and t part 2 are found,
    only b is sent."""
    died = kill_deploy(bluesky.root, bluesky.env, "during-network:3", bluesky)
    bluesky.proxy.mode = None
    assert bluesky.proxy.count(BSKY_CREATE) == 3
    fresh = clone(tmp_path, "ci")
    again = run_cli(fresh, "deploy", "--now", LATER, env=bluesky.env)
    assert again.returncode == 0, (again.stdout, again.stderr)
    bluesky.check(died, again.stdout, again.stderr, root=fresh)  # 4 createRecord in all


def test_bluesky_connection_dropped_after_the_pds_created_the_post(bluesky: Bluesky) -> None:
    """createRecord of t part 2 is stored by the PDS, then the connection drops without an
    answer: deploy reads the record back and records it as published, sending nothing again."""
    bluesky.proxy.mode, bluesky.proxy.nth = "drop", 3
    done = run_cli(bluesky.root, "deploy", "--now", NOW, env=bluesky.env)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert bluesky.proxy.stored.is_set()
    bluesky.check(done.stdout, done.stderr)
    t2 = ledger_of(bluesky.root, "bluesky")[("t", 1)]
    assert t2["attempts"] == 1  # published by the read-back, not by a second createRecord


def test_bluesky_timeout_after_the_pds_created_the_post(bluesky: Bluesky) -> None:
    """The PDS stores the post but answers after the client's timeout (2 s here, in process:
    the CLI has no timeout option and its 20 s would be too slow): read back, no duplicate."""
    bluesky.proxy.mode, bluesky.proxy.nth, bluesky.proxy.delay = "delay", 2, 4.0
    environ = {"CMPUB_BLUESKY_APP_PASSWORD": bluesky.account.password}
    result = deploy(bluesky.root, NOW_DT, environ=environ, timeout=2.0)
    assert result.exit_code == 0, result.outcomes
    assert [o.state for o in result.outcomes] == ["published"] * 4
    bluesky.check(*(o.message for o in result.outcomes))
    assert_nothing_left(bluesky.root, environ)
    t1 = ledger_of(bluesky.root, "bluesky")[("t", 0)]
    assert t1["attempts"] == 1  # published by the read-back, not by a second createRecord
    assert bluesky.proxy.count(BSKY_CREATE) == len(ORDER)


# ----------------------------------------------------------------------------- Mastodon (fake)

MASTODON_SETTINGS = '{{handle: "@cafe@social.example", instance: "{url}", max_characters: 500}}'


class Mastodon:
    """One test's Mastodon fake (its own statuses are the truth) and project."""

    def __init__(self, fake: HoldingMastodon, base: Path, token: str = MASTODON_TOKEN) -> None:
        self.fake, self.base = fake, base
        self.root = make_repo(base, "mastodon", MASTODON_SETTINGS.format(url=fake.base_url))
        self.token = token
        self.env = env_with(CMPUB_MASTODON_ACCESS_TOKEN=token)
        self.stored, self.release = fake.stored, fake.release

    def hold(self, nth: int) -> None:
        self.fake.hold_at = nth

    def check(self, *outputs: str, posts: int = len(ORDER), root: Path | None = None) -> None:
        root = root or self.root
        texts = expected_texts(root)
        statuses = self.fake.live_statuses()
        assert Counter(s["text"] for s in statuses) == Counter(texts.values())
        by_text = {s["text"]: s for s in statuses}
        ledger = ledger_of(root, "mastodon")
        assert sorted(ledger) == sorted(ORDER)
        for key, record in ledger.items():
            status = by_text[texts[key]]
            assert record["state"] == "published", (key, record)
            assert record["remote_id"] == status["id"]
            assert record["url"] == f"https://social.example/@cafe/{status['id']}"
            assert record["error"] is None
        first = by_text[texts[("t", 0)]]
        assert by_text[texts[("t", 1)]]["in_reply_to_id"] == first["id"]
        assert all(by_text[texts[k]]["in_reply_to_id"] is None for k in ORDER if k != ("t", 1))
        assert len(self.fake.status_posts()) == posts
        assert_committed_and_pushed(self.base, root)
        assert leaked(self.token, root, *outputs) == []


@pytest.fixture
def mastodon(tmp_path: Path) -> Iterator[Mastodon]:
    """The fake's clock is the run's (NOW): statuses it creates are 'published now'."""
    with HoldingMastodon(now=NOW_DT) as fake:
        yield Mastodon(fake, tmp_path)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_mastodon_killed_then_rerun(mastodon: Mastodon, point: str) -> None:
    died = kill_deploy(mastodon.root, mastodon.env, point, mastodon)
    mastodon.fake.hold_at = None
    again = run_cli(mastodon.root, "deploy", "--now", NOW, env=mastodon.env)
    assert again.returncode == 0, (again.stdout, again.stderr)
    assert "uncertain" not in again.stdout
    # the post that was on the wire is found by lookup: one POST per item, no more
    mastodon.check(died, again.stdout, again.stderr)
    assert_nothing_left(mastodon.root, {"CMPUB_MASTODON_ACCESS_TOKEN": MASTODON_TOKEN})
    mastodon.check()


def test_mastodon_killed_then_rerun_from_a_fresh_clone(mastodon: Mastodon, tmp_path: Path) -> None:
    """As for Bluesky: a fresh checkout 15 minutes later finds a, t part 1 and t part 2 by
    reading the account's statuses, and sends only b."""
    died = kill_deploy(mastodon.root, mastodon.env, "during-network:3", mastodon)
    mastodon.fake.hold_at = None
    assert len(mastodon.fake.status_posts()) == 3
    fresh = clone(tmp_path, "ci")
    again = run_cli(fresh, "deploy", "--now", LATER, env=mastodon.env)
    assert again.returncode == 0, (again.stdout, again.stderr)
    mastodon.check(died, again.stdout, again.stderr, root=fresh)  # 4 status POSTs in all


def test_mastodon_cannot_know_is_uncertain_and_never_resent(tmp_path: Path) -> None:
    """The one case where a publisher truly cannot tell: Mastodon has no search by
    Idempotency-Key, and after the kill the account posted 200 statuses, more than the
    5 pages x 40 that cmpub reads back. t part 2 becomes uncertain (exit 4, a person
    checks); it is never sent again, and the server still holds it once."""
    with HoldingMastodon(now=NOW_DT, rate_limit=10_000) as fake:
        mastodon = Mastodon(fake, tmp_path)
        died = kill_deploy(mastodon.root, mastodon.env, "after-network:3", mastodon)
        headers = {"Authorization": f"Bearer {fake.token}"}
        for i in range(200):  # through the fake's request handling, without the socket
            body = {"status": f"Other news {i}"}
            assert fake.handle("POST", "/api/v1/statuses", {}, headers, body)[0] == 200
        again = run_cli(mastodon.root, "deploy", "--now", NOW, env=mastodon.env)
        third = run_cli(mastodon.root, "deploy", "--now", NOW, env=mastodon.env)
    assert again.returncode == 4 and third.returncode == 4, (again.stdout, third.stdout)
    assert "uncertain  t → Mastodon (part 2/2): Mastodon: cmpub read the newest 200" in again.stdout
    ledger = ledger_of(mastodon.root, "mastodon")
    assert {k: r["state"] for k, r in ledger.items()} == {
        ("a", 0): "published",
        ("t", 0): "published",
        ("t", 1): "uncertain",
        ("b", 0): "published",
    }
    texts = expected_texts(mastodon.root)
    ours = Counter(s["text"] for s in fake.live_statuses() if s["text"] in texts.values())
    assert ours == Counter(texts.values())  # each item once, t part 2 included
    keys = [r["headers"].get("Idempotency-Key") for r in fake.status_posts()]
    assert keys.count(ledger[("t", 1)]["idempotency_key"]) == 1  # never resent
    assert_committed_and_pushed(tmp_path, mastodon.root)
    assert leaked(mastodon.token, mastodon.root, died, again.stdout, third.stdout) == []


def test_mastodon_idempotency_key_replay_after_a_kill_after_the_network_call(
    tmp_path: Path,
) -> None:
    """Killed after Mastodon answered t part 2; the server's clock is 3 h behind the run's
    times, so cmpub's lookup (statuses from 1 h before the publish time on) cannot see the
    status and the item is sent again: the same Idempotency-Key makes Mastodon answer with
    the original status, and nothing is posted twice."""
    with HoldingMastodon(now=NOW_DT - timedelta(hours=3)) as fake:
        mastodon = Mastodon(fake, tmp_path)
        died = kill_deploy(mastodon.root, mastodon.env, "after-network:3", mastodon)
        assert len(fake.live_statuses()) == 3
        again = run_cli(mastodon.root, "deploy", "--now", NOW, env=mastodon.env)
        assert again.returncode == 0, (again.stdout, again.stderr)
        mastodon.check(died, again.stdout, posts=len(ORDER) + 1)
    keys = [r["headers"]["Idempotency-Key"] for r in fake.status_posts()]
    t2 = ledger_of(mastodon.root, "mastodon")[("t", 1)]
    assert keys.count(t2["idempotency_key"]) == 2 and len(set(keys)) == len(ORDER)
    lookups = [r for r in fake.requests if r["path"].endswith("/statuses") and r["method"] == "GET"]
    assert lookups, "the rerun asked the account's statuses first"


def test_mastodon_500_then_200(mastodon: Mastodon) -> None:
    mastodon.fake.add_fault("/api/v1/statuses", method="POST", status=500, count=1)
    done = run_cli(mastodon.root, "deploy", "--now", NOW, env=mastodon.env)
    assert done.returncode == 0, (done.stdout, done.stderr)
    mastodon.check(done.stdout, done.stderr, posts=len(ORDER) + 1)
    first = ledger_of(mastodon.root, "mastodon")[("a", 0)]
    assert first["attempts"] == 2
    posts = mastodon.fake.status_posts()
    assert posts[1]["at"] - posts[0]["at"] >= 2.0  # RetryPolicy's first wait (no Retry-After)


def test_mastodon_502_after_the_status_was_stored_then_retry(mastodon: Mastodon) -> None:
    """The status is created, the answer is lost in a 502: the retry carries the same
    Idempotency-Key, Mastodon answers with the original status."""
    mastodon.fake.add_fault("/api/v1/statuses", method="POST", status=502, after=True, count=1)
    done = run_cli(mastodon.root, "deploy", "--now", NOW, env=mastodon.env)
    assert done.returncode == 0, (done.stdout, done.stderr)
    mastodon.check(done.stdout, done.stderr, posts=len(ORDER) + 1)
    posts = mastodon.fake.status_posts()
    assert posts[0]["headers"]["Idempotency-Key"] == posts[1]["headers"]["Idempotency-Key"]


def test_mastodon_429_with_retry_after(mastodon: Mastodon) -> None:
    mastodon.fake.add_fault(
        "/api/v1/statuses",
        method="POST",
        status=429,
        body={"error": "Too many requests"},
        headers={"Retry-After": "3"},
        count=1,
    )
    done = run_cli(mastodon.root, "deploy", "--now", NOW, env=mastodon.env)
    assert done.returncode == 0, (done.stdout, done.stderr)
    mastodon.check(done.stdout, done.stderr, posts=len(ORDER) + 1)
    posts = mastodon.fake.status_posts()
    assert posts[1]["at"] - posts[0]["at"] >= 3.0  # Retry-After, not the 2 s default backoff


def test_mastodon_timeout_after_the_status_was_stored(mastodon: Mastodon) -> None:
    """Stored, answered after the client's timeout (2 s, in process: the CLI's is 30 s):
    cmpub looks it up before any retry and finds it."""
    mastodon.fake.add_fault(
        "/api/v1/statuses", method="POST", status=200, after=True, delay=4.0, count=1
    )
    environ = {"CMPUB_MASTODON_ACCESS_TOKEN": MASTODON_TOKEN}
    result = deploy(mastodon.root, NOW_DT, environ=environ, timeout=2.0)
    assert result.exit_code == 0, result.outcomes
    assert [o.state for o in result.outcomes] == ["published"] * 4
    mastodon.check(*(o.message for o in result.outcomes))
    assert ledger_of(mastodon.root, "mastodon")[("a", 0)]["attempts"] == 1


def test_mastodon_revoked_token(mastodon: Mastodon, tmp_path: Path) -> None:
    """401 'The access token was revoked': exit 4, plain words, the token nowhere."""
    mastodon.fake.revoke()
    summary = tmp_path / "summary.md"
    env = {**mastodon.env, "GITHUB_STEP_SUMMARY": str(summary)}
    done = run_cli(mastodon.root, "deploy", "--now", NOW, env=env)
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert mastodon.fake.live_statuses() == []
    help_text = "Mastodon refused the access token: create a new one in Preferences → Development"
    assert help_text in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    ledger = ledger_of(mastodon.root, "mastodon")
    first = ledger[("a", 0)]
    assert (first["state"], first["error_code"], first["needs_person"]) == ("failed", "auth", True)
    assert first["error"].startswith(help_text)
    text = summary.read_text(encoding="utf-8")
    assert help_text in text
    assert leaked(mastodon.token, mastodon.root, done.stdout, done.stderr, text) == []
    assert_committed_and_pushed(mastodon.base, mastodon.root)
    refused = len(mastodon.fake.status_posts())
    assert refused == 3  # a, t part 1, b (t part 2 waits for part 1)
    # a person sets a new token, and says the failed posts may go: each goes out once
    mastodon.fake.revoked, mastodon.fake.token = False, "fake-token-new-4d2e8b"
    mastodon.token = mastodon.fake.token
    env = env_with(CMPUB_MASTODON_ACCESS_TOKEN=mastodon.fake.token)
    fixed = run_cli(mastodon.root, "deploy", "--now", NOW, "--retry-failed", env=env)
    assert fixed.returncode == 0, (fixed.stdout, fixed.stderr)
    mastodon.check(fixed.stdout, posts=len(ORDER) + refused)
    assert leaked(MASTODON_TOKEN, mastodon.root, fixed.stdout, fixed.stderr) == []


# ----------------------------------------------------------------------------- mastodon-mock


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("mastodon_mock") is None:
        if REQUIRE_MOCK:  # CI: a broken install must not pass as green
            pytest.fail("CMPUB_REQUIRE_MASTODON_MOCK=1 but mastodon-mock is not installed")
        pytest.skip("mastodon-mock is not installed (the test extra)")
    with serve_mastodon_mock(tmp_path_factory.mktemp("mastodon-mock")) as url:
        yield url


def _mock_project(base: Path, url: str) -> tuple[Path, str]:
    """The project, dated on the real clock (the mock stamps statuses with it): its 3 posts
    were due 50, 40 and 30 minutes ago. Returns the root and the --now."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    paris = now.astimezone(ZoneInfo("Europe/Paris"))

    def at(minutes: int) -> str:
        return (paris - timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")

    posts = {
        "content/a.md": post("Alpha", at(50), "Alpha: a short note from the café."),
        "content/t.md": post("Thread", at(40), THREAD_TEXT, thread=True),
        "content/b.md": post("Bravo", at(30), "Bravo: a short note from the café."),
    }
    settings = f'{{handle: "@cafe@social.example", instance: "{url}", max_characters: 500}}'
    return make_repo(base, "mastodon", settings, posts), now.isoformat()


def _mock_check(root: Path, base: Path, url: str, account: str, token: str) -> None:
    texts = expected_texts(root)
    statuses = mock_statuses(url, token, account)
    assert len(statuses) == len(ORDER)
    ledger = ledger_of(root, "mastodon")
    by_id = {s["id"]: s for s in statuses}
    assert sorted(r["remote_id"] for r in ledger.values()) == sorted(by_id)
    for key, record in ledger.items():
        status = by_id[record["remote_id"]]
        assert record["state"] == "published" and record["url"] == status["url"]
        assert html.unescape(re.sub(r"<[^>]+>", "", status["content"])) == texts[key]
    thread = ledger[("t", 1)]
    assert by_id[thread["remote_id"]]["in_reply_to_id"] == ledger[("t", 0)]["remote_id"]
    assert_committed_and_pushed(base, root)


def test_mastodon_mock_killed_after_the_network_call(mock_url: str, tmp_path: Path) -> None:
    account, token = mock_user(mock_url)
    root, now = _mock_project(tmp_path, mock_url)
    env = env_with(CMPUB_MASTODON_ACCESS_TOKEN=token)
    hooks = {"CMPUB_TEST_HOOKS": "1", "CMPUB_TEST_KILL_AT": "after-network:3"}
    died = run_cli(root, "deploy", "--now", now, env={**env, **hooks})
    assert died.returncode == -signal.SIGKILL, (died.stdout, died.stderr)
    assert len(mock_statuses(mock_url, token, account)) == 3
    again = run_cli(root, "deploy", "--now", now, env=env)
    assert again.returncode == 0, (again.stdout, again.stderr)
    _mock_check(root, tmp_path, mock_url, account, token)
    assert leaked(token, root, died.stdout, again.stdout, again.stderr) == []


def test_mastodon_mock_500_then_429_then_200(mock_url: str, tmp_path: Path) -> None:
    """A 500, then a 429 whose Retry-After (5 s) is longer than cmpub's own second backoff
    (4 s): the times a proxy in front of the mock recorded between the three POSTs show both
    waits were kept (lower bounds only: a busy machine makes waits longer, never shorter)."""
    account, token = mock_user(mock_url)
    match = {"methods": ["POST"], "path": "/api/v1/statuses"}
    for effect in (
        {"type": "status", "status": 500},
        {"type": "ratelimit", "headers": {"Retry-After": "5"}},
    ):
        rule = {"match": match, "effect": effect, "count": 1}
        assert httpx.post(f"{mock_url}/api/v1/_mock/faults", json=rule).status_code == 200
    with PdsProxy(mock_url) as proxy:
        root, now = _mock_project(tmp_path, proxy.url)
        env = env_with(CMPUB_MASTODON_ACCESS_TOKEN=token)
        done = run_cli(root, "deploy", "--now", now, env=env)
    assert done.returncode == 0, (done.stdout, done.stderr)
    _mock_check(root, tmp_path, mock_url, account, token)
    assert ledger_of(root, "mastodon")[("a", 0)]["attempts"] == 3
    posts = [at for method, path, at in proxy.arrivals if (method, path) == ("POST", match["path"])]
    assert len(posts) == len(ORDER) + 2  # a three times, then t (2 parts) and b once each
    assert posts[1] - posts[0] >= 2.0  # RetryPolicy's first wait after the 500
    assert posts[2] - posts[1] >= 5.0  # Retry-After, not the 4 s second backoff
