"""``deploy()``: publish what is due exactly once, top to bottom.

    lock the checkout -> refuse when the ledger cannot reach where the next run reads it
    (detached HEAD, no remote, another branch) or the posts are not committed
    -> keep what an interrupted run left -> sync with the remote (a failed fetch stops here)
    -> build (Problems stop here) -> read the ledger (a damaged record holds its item) and
    recognise renamed published posts (held) -> plan -> [paused: pull back, stop]
    -> recover pending items (lookup) + record missed ones + write pending claims
    -> commit the claim, push it (lost a race: take it back, sync, plan again)
    -> publish each item (retries, lookup when an attempt may have gone out)
    -> record published / failed / uncertain -> commit, push (rebase on a race)

Nothing reaches the network before the claim is committed (and pushed, when the project
pushes). Just before each network call an in-flight marker (``.git/cmpub-inflight/<key>``,
never committed) is written; a pending record from this checkout without its marker surely
never left, so it is sent again without asking the network. ``hooks(name)`` is called at each
step boundary: ``after-claim``, ``during-commit``, ``before-push``, ``after-push``,
``before-network``, ``after-network``, ``before-record-commit`` (the fault tests kill the
process there).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cmpub.build.pipeline import CACHE_DIR, MANIFEST, build
from cmpub.deploy import renames
from cmpub.deploy.channels import Channels
from cmpub.deploy.gitops import Ledger, local_only, preflight
from cmpub.deploy.held import read as read_held
from cmpub.deploy.pause import read_pause
from cmpub.deploy.plan import Plan, Planned, channel_name, iso, order, plan, receipt_of
from cmpub.deploy.publishers.base import (
    CannotKnow,
    Publisher,
    PublishError,
    Receipt,
    payload,
)
from cmpub.deploy.publishers.http import RetryPolicy
from cmpub.deploy.records import (
    claim_message,
    mark_failed,
    mark_person,
    mark_published,
    new_record,
    outcome,
    result_message,
)
from cmpub.deploy.report import DeployResult, Outcome
from cmpub.deploy.scheduled import SchedulerSteps
from cmpub.deploy.sending import Inflight, send
from cmpub.read import gitrepo
from cmpub.read.config import load_config
from cmpub.read.ledger import Key, Record, record_path, scan, write

Hook = Callable[[str], None]
LOCK_WAIT = 120.0
LEASE = 600.0
CLAIM_ROUNDS = 5


def deploy(
    root: Path,
    now: datetime,
    dry_run: bool = False,
    channels: Collection[str] | None = None,
    include_missed: bool = False,
    push: bool | None = None,
    environ: Mapping[str, str] | None = None,
    transports: Mapping[str, Any] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    hooks: Hook | None = None,
    *,
    publishers: Mapping[str, Publisher] | None = None,
    retry_failed: bool = False,
    policy: RetryPolicy | None = None,
    lock_wait: float = LOCK_WAIT,
    lease: float = LEASE,
    timeout: float | None = None,
    allow_dirty: bool = False,
) -> DeployResult:
    """Publish what is due at ``now`` exactly once; return what happened (a failed publication
    never raises: the result's ``exit_code`` says 0, 3 or 4).

    ``push``: None follows ``deploy.push`` in cmpub.yaml. ``environ``: where secrets come from
    (the CLI passes ``os.environ``). ``transports``: channel -> httpx transport (tests).
    ``publishers``: channel -> a ready publisher, replacing the registry's (tests).
    ``lease``: seconds a pending claim from another checkout is left to its run.
    ``allow_dirty``: publish even when posts, cmpub.yaml, templates or assets differ from
    what is committed. Raises ProblemsFound (the build), ConfigError, Busy (the lock),
    Refused (the ledger could not reach where the next run reads it; uncommitted posts),
    GitError.
    """
    config = load_config(root)
    repo = gitrepo.Repo.find(root)
    env = dict(environ or {})
    lock_path = repo.git_dir / gitrepo.LOCK_NAME if repo else root / CACHE_DIR / "deploy.lock"
    with gitrepo.lock(lock_path, lock_wait):
        wanted = config.deploy.push if push is None else push
        ci = env.get("GITHUB_ACTIONS") == "true"
        stops = preflight(repo, root, config, wanted, allow_dirty, ci)
        if stops and not dry_run:
            raise gitrepo.Refused("nothing was published: " + " Also: ".join(stops))
        hook = hooks or _no_hook
        run = _Run(
            root=root,
            ledger_dir=config.deploy.ledger,
            catch_up=config.deploy.catch_up_seconds,
            content_dir=config.content_dir,
            repo=repo,
            git=Ledger(repo, wanted and not dry_run, hook),
            channels=Channels(
                config,
                root,
                now,
                env,
                transports=transports,
                overrides=publishers,
                sleep=sleep,
                timeout=timeout,
            ),
            now=now,
            dry_run=dry_run,
            sleep=sleep,
            hook=hook,
            policy=policy or RetryPolicy(),
        )
        run.notes = [f"a real run would stop here: {s}" for s in stops]
        run.result.local = None if dry_run else local_only(repo, wanted, push)
        return run.go(channels, include_missed, retry_failed, lease)


def _no_hook(name: str) -> None:
    return None


@dataclass
class _Claim:
    sha: str | None
    send: list[Planned]
    outcomes: list[Outcome]


class _Run(SchedulerSteps):
    """The state of one deploy run (publishers, receipts, the result being built)."""

    def __init__(
        self,
        *,
        root: Path,
        ledger_dir: str,
        catch_up: int,
        content_dir: str,
        repo: gitrepo.Repo | None,
        git: Ledger,
        channels: Channels,
        now: datetime,
        dry_run: bool,
        sleep: Callable[[float], None],
        hook: Hook,
        policy: RetryPolicy,
    ) -> None:
        self.root, self.ledger_dir, self.catch_up = root, ledger_dir, catch_up
        self.content_dir = content_dir
        self.repo, self.git, self.channels = repo, git, channels
        self.now, self.at, self.dry_run = now, iso(now), dry_run
        self.sleep, self.hook, self.policy = sleep, hook, policy
        self.result = DeployResult(now=now, dry_run=dry_run)
        self.run_id = uuid.uuid4().hex[:12]
        self.checkout = repo.checkout_id() if repo else "local"
        self.inflight = Inflight((repo.git_dir if repo else root / CACHE_DIR) / "cmpub-inflight")
        self.claimed: dict[Key, Record] = {}
        self.receipts: dict[Key, Receipt] = {}
        self.sha256: dict[str, str | None] = {}  # post file -> the SHA-256 of its bytes
        self.notes: list[str] = []  # a dry run: what would stop a real run

    def redact(self, text: str) -> str:
        return self.channels.redact(text)

    def write(self, record: Record) -> Path:
        return write(self.root, self.ledger_dir, record)

    # ------------------------------------------------------------------------- the run

    def go(
        self,
        channels: Collection[str] | None,
        include_missed: bool,
        retry_failed: bool,
        lease: float,
    ) -> DeployResult:
        result = self.result
        if not self.dry_run:
            self.keep_leftovers()
        self.git.sync()
        build(self.root, now=self.now)  # the build carries dist/outbox/ into the new dist
        manifest = json.loads((self.root / "dist" / MANIFEST).read_text(encoding="utf-8"))
        result.pause = read_pause(self.root)
        for _round in range(CLAIM_ROUNDS):
            held = read_held(self.root, manifest, self.ledger_dir, self.content_dir, self.repo)
            the_plan = plan(
                manifest,
                held.ledger.records,
                self.now,
                self.catch_up,
                channels,
                include_missed,
                dist=self.root / "dist",
                checkout=self.checkout,
                lease=lease,
                native=self.channels.native(),
                implemented=self.channels.implemented(),
                retry_failed=retry_failed,
                damaged=held.damaged,
                renamed=held.renamed,
            )
            result.plan = the_plan
            notes = [*the_plan.warnings, *held.warnings(the_plan), *self.notes]
            result.warnings = [self.redact(w) for w in notes]
            if self.dry_run:
                self.show(the_plan)
                return self.finish()
            if result.pause is not None:
                self.pull_back(the_plan)
                return self.finish()
            claim = self.prepare(the_plan)
            if claim.sha is None or not self.git.pushing:
                break
            pushed = self.git.push_once()
            if pushed.state == "ok":
                break
            self.git.undo(claim.sha)
            if pushed.state == "failed":
                result.errors.append(
                    f"could not push the claim, so nothing was published: {pushed.message}"
                )
                return self.finish()
            self.git.sync()  # another run pushed first: plan again on top of its ledger
        else:
            result.errors.append("other runs kept pushing first: nothing was published this time")
            return self.finish()
        result.outcomes += claim.outcomes
        self.publish(the_plan, claim.send)
        self.hook("before-record-commit")
        if claim.send:
            keys = {p.key for p in claim.send}
            sent = [o for o in result.outcomes if (o.post, o.channel, o.part) in keys]
            paths = [record_path(self.root, self.ledger_dir, *key) for key in sorted(keys)]
            self.git.commit(paths, result_message(sent))
        return self.finish()

    def finish(self) -> DeployResult:
        """Push what is not pushed yet; hand the result over (every message redacted)."""
        result = self.result
        if self.git.unpushed:
            pushed = self.git.push()
            if pushed.state != "ok":
                result.errors.append(
                    "the ledger is committed in this checkout but could not be pushed"
                    f" ({pushed.message}): push it, or the next run will check with the networks"
                )
        result.blocked = [self.redact(t) for t in dict.fromkeys(self.channels.blocked)]
        result.errors = [self.redact(t) for t in dict.fromkeys(result.errors)]
        result.warnings = [self.redact(t) for t in dict.fromkeys(result.warnings)]
        result.commits = list(self.git.commits)
        result.pushed = self.git.pushed
        return result

    def keep_leftovers(self) -> None:
        """Commit records an interrupted run wrote but did not commit (never a damaged
        record or a stray file: they stay as they are, for a person to repair)."""
        folder = self.root / self.ledger_dir
        for stale in folder.rglob(".*.tmp-*") if folder.is_dir() else []:
            stale.unlink(missing_ok=True)
        changed = self.git.leftovers(folder)
        if changed and self.repo is not None:
            workdir = self.repo.workdir
            unreadable = {
                (self.root / rel).resolve() for rel in scan(self.root, self.ledger_dir).unreadable()
            }
            paths = [
                workdir / rel for rel in changed if (workdir / rel).resolve() not in unreadable
            ]
            if paths:
                self.git.commit(paths, "cmpub: keep the records of an interrupted run [skip ci]")

    def show(self, the_plan: Plan) -> None:
        """Dry run: the exact payloads; a missing secret is reported now, before a real run."""
        for p in the_plan.to_send():
            self.result.payloads.append((p, payload(p.item)))
        for channel in sorted({p.item.channel for p in [*the_plan.to_send(), *the_plan.pending]}):
            self.channels.get(channel)

    # ------------------------------------------------------------------------- claim

    def prepare(self, the_plan: Plan) -> _Claim:
        """Recover, record missed items, write the claims and commit them (no push here)."""
        self.claimed, self.receipts = {}, {}
        outcomes: list[Outcome] = []
        paths: list[Path] = []
        send_now: list[Planned] = []
        for p in the_plan.pending:
            record, pub = p.record, self.channels.get(p.item.channel)
            if pub is None or record is None:
                continue
            state, receipt, message = self.recover(p, pub)
            if state == "send":
                send_now.append(p)
                continue
            if state == "later":
                self.result.errors.append(message)
                continue
            if receipt is not None:
                mark_published(record, receipt, self.at)
                self.receipts[p.key] = receipt
            else:
                mark_person(record, "uncertain", self.at, self.redact(message))
            paths.append(self.write(record))
            self.inflight.done(record.idempotency_key)
            outcomes.append(
                outcome(record, record.state, url=record.url, message=record.error or message)
            )
        for p in the_plan.new_missed():
            same = p.record is not None and p.record.idempotency_key == p.item.idempotency_key
            record = p.record if same and p.record is not None else new_record(p)
            self.stamp(record, p)
            mark_person(record, "missed", self.at, p.why)
            paths.append(self.write(record))
            outcomes.append(outcome(record, "missed", message=p.why))
        paths += [
            self.key_path(p.record)
            for p in the_plan.reschedule
            if p.record and self.follow_scheduled(p, outcomes)
        ]
        paths += [
            self.key_path(p.record) for p in the_plan.done if self.settle_scheduled(p, outcomes)
        ]
        gone = "the post was deleted or moved: pulled back"
        paths += [
            self.key_path(r)
            for r in the_plan.orphans
            if r.state == "scheduled" and self.cancel(r, gone)
        ]
        send_now += [p for p in the_plan.to_send() if self.channels.get(p.item.channel) is not None]
        send_now.sort(key=order)
        for p in send_now:
            record = p.record if p.record is not None else new_record(p)
            if record.idempotency_key != p.item.idempotency_key:
                record = new_record(p)
            record.note("pending", self.at, run=self.run_id)
            record.claimed_at, record.run, record.checkout = self.at, self.run_id, self.checkout
            record.content_hash, record.title = p.item.content_hash, p.item.title
            self.stamp(record, p)
            paths.append(self.write(record))
            self.claimed[p.key] = record
        if not paths:
            return _Claim(None, send_now, outcomes)
        sha = self.git.commit(paths, claim_message(send_now, outcomes))
        self.hook("after-claim")
        return _Claim(sha, send_now, outcomes)

    def stamp(self, record: Record, p: Planned) -> None:
        """Keep the post's file and the hash of its bytes (a rename is recognised by them)."""
        source = renames.source_path(p.entry.source)
        if source not in self.sha256:
            self.sha256[source] = renames.file_sha256(self.root, source)
        record.source, record.source_sha256 = source, self.sha256[source]

    def recover(self, p: Planned, pub: Publisher) -> tuple[str, Receipt | None, str]:
        """A pending record left by a dead run: ``published`` (found), ``send`` (surely not
        out), ``uncertain`` (the network cannot tell) or ``later`` (could not ask now)."""
        record = p.record
        assert record is not None
        if record.checkout == self.checkout and not self.inflight.maybe_sent(
            record.idempotency_key
        ):
            return "send", None, ""  # this checkout never reached the network for it
        try:
            found = pub.lookup(p.item)
        except CannotKnow as exc:
            return "uncertain", None, str(exc)
        except Exception as exc:  # PublishError, or a publisher's bug: ask again next run
            said = exc.message if isinstance(exc, PublishError) else f"{type(exc).__name__}: {exc}"
            where = f"{p.item.post} went out on {channel_name(p.item.channel)}"
            return (
                "later",
                None,
                f"could not check whether {where}: {said}; the next run checks again",
            )
        if found is None:
            return "send", None, ""
        return "published", found, "it went out before the interruption (the network confirmed it)"

    # ------------------------------------------------------------------------- publish

    def publish(self, the_plan: Plan, send_now: list[Planned]) -> None:
        """Send each claimed item in order; record each result as soon as it is known."""
        receipts = dict(self.receipts)
        for done in the_plan.done:
            if done.record is not None and done.record.state == "published":
                receipts[done.key] = receipt_of(done.record)
        for p in send_now:
            item, record = p.item, self.claimed[p.key]
            if item.part > 0:
                parent = receipts.get((item.post, item.channel, item.part - 1))
                if parent is None:
                    why = f"waits for part {item.part} of the thread, which did not go out"
                    mark_failed(
                        record, self.at, why, retryable=True, needs_person=False, code="waiting"
                    )
                    self.write(record)
                    self.result.outcomes.append(
                        outcome(record, "waiting", message=why, retryable=True)
                    )
                    continue
                item = replace(item, parent=parent, root=receipts.get((item.post, item.channel, 0)))
            pub = self.channels.get(item.channel)
            assert pub is not None
            self.hook("before-network")
            self.inflight.start(item.idempotency_key, self.run_id)
            sent = send(pub, item, self.policy, self.sleep)
            self.hook("after-network")
            record.attempts += sent.attempts
            if sent.receipt is not None:
                mark_published(record, sent.receipt, self.at)
                receipts[p.key] = sent.receipt
                line = outcome(record, record.state, url=record.url, attempts=sent.attempts)
            else:
                assert sent.error is not None
                message = self.redact(sent.error.message)
                if sent.state == "uncertain":
                    mark_person(record, "uncertain", self.at, message)
                else:
                    person = sent.error.needs_person or not sent.error.retryable
                    mark_failed(
                        record, self.at, message, sent.error.retryable, person, sent.error.code
                    )
                line = outcome(
                    record,
                    sent.state,
                    message=message,
                    retryable=bool(record.retryable),
                    needs_person=bool(record.needs_person),
                    attempts=sent.attempts,
                )
            self.write(record)
            self.inflight.done(item.idempotency_key)
            self.result.outcomes.append(line)
