"""What a deploy run did, as data (:class:`DeployResult`) and as words for people.

The CLI prints :func:`text_lines` (or :func:`dry_run_text`), appends :func:`summary_markdown`
to ``$GITHUB_STEP_SUMMARY`` in GitHub Actions, and exits with :attr:`DeployResult.exit_code`:

    0  everything due went out (or nothing was due)
    3  something failed in a way a later run may fix (a server error, a timeout, a push
       race lost too often, another deploy holding the lock): the next run retries
    4  a person must act: publishing is paused, a post was missed, a credential is missing or
       rejected, a network refused a post, a post is uncertain (a run died while sending), a
       ledger record is damaged, or a published post was renamed without ``id:``

Every message in a result has already been redacted by deploy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cmpub.deploy.pause import Pause
from cmpub.deploy.plan import Plan, Planned, channel_name, iso

EXIT_OK = 0
EXIT_RETRY = 3
EXIT_PERSON = 4


@dataclass(frozen=True)
class Outcome:
    """What happened to one publication in this run."""

    post: str
    channel: str
    part: int
    parts: int
    title: str
    state: str  # published, scheduled, failed, uncertain, missed, cancelled, waiting
    url: str | None = None
    message: str = ""
    retryable: bool = False
    needs_person: bool = False
    attempts: int = 0

    @property
    def label(self) -> str:
        """'hello → Bluesky' (with '(part 2/3)' for a thread part)."""
        part = f" (part {self.part + 1}/{self.parts})" if self.parts > 1 else ""
        return f"{self.post} → {channel_name(self.channel)}{part}"


@dataclass
class DeployResult:
    """Everything a run did and found, for the CLI, the step summary and the tests."""

    now: datetime
    dry_run: bool = False
    plan: Plan | None = None
    pause: Pause | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # a channel that cannot run: a person acts
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the run stopped early; a later run retries
    commits: list[str] = field(default_factory=list)
    pushed: bool = False
    payloads: list[tuple[Planned, dict[str, Any]]] = field(default_factory=list)
    local: str | None = None  # why the ledger stays on this computer (--no-push, ...)

    def by_state(self, *states: str) -> list[Outcome]:
        """This run's outcomes in ``states``."""
        return [o for o in self.outcomes if o.state in states]

    @property
    def needs_person(self) -> list[str]:
        """What a person must look at, one line each."""
        out = []
        if self.pause is not None:
            out.append(f"{self.pause.describe()}: run 'cmpub resume' to publish again")
        out += self.blocked
        plan = self.plan
        if plan is not None:
            recorded = {(o.post, o.channel, o.part) for o in self.outcomes}
            for p in plan.missed:
                out.append(f"missed: {_label(p)}: {p.why}")
            for p in plan.uncertain:
                out.append(f"uncertain: {_label(p)}: {p.why}")
            for p in plan.failed:
                if p.key not in recorded:
                    out.append(f"failed: {_label(p)}: {p.why}")
            out += [f"damaged: {p.why}" for p in plan.damaged]
            out += list(dict.fromkeys(f"renamed: {p.why}" for p in plan.renamed))
        for o in self.outcomes:
            if o.state == "uncertain" or (o.state == "failed" and o.needs_person):
                out.append(f"{o.state}: {o.label}: {o.message}")
        return out

    @property
    def exit_code(self) -> int:
        """0 done, 3 a later run retries, 4 a person must act (see the module docstring)."""
        if self.needs_person:
            return EXIT_PERSON
        if self.errors or any(o.state in ("failed", "waiting") for o in self.outcomes):
            return EXIT_RETRY
        return EXIT_OK

    def headline(self) -> str:
        """'2 published, 1 failed (a later run retries), 1 needs a person'."""
        published = len(self.by_state("published"))
        parts = [f"{published} published"]
        if scheduled := len(self.by_state("scheduled")):
            parts.append(f"{scheduled} handed to a network's scheduler")
        retry = [
            o for o in self.outcomes if o.state in ("failed", "waiting") and not o.needs_person
        ]
        if retry:
            parts.append(f"{len(retry)} to retry on the next run")
        if person := len(self.needs_person):
            parts.append(f"{person} need{'s' if person == 1 else ''} a person")
        if self.plan is not None and not self.outcomes and not self.plan.to_send():
            parts[0] = "nothing was due"
        return ", ".join(parts)


def _label(p: Planned) -> str:
    item = p.item
    part = f" (part {item.part + 1}/{item.parts})" if item.parts > 1 else ""
    return f"{item.post} → {channel_name(item.channel)}{part}"


# ----------------------------------------------------------------------------- text


def text_lines(result: DeployResult) -> list[str]:
    """The run in plain lines for a terminal or a CI log."""
    lines = []
    if result.pause is not None:
        lines.append(f"PAUSED: {result.pause.describe()}. Nothing was published.")
        lines.append("Run 'cmpub resume' to publish again.")
    for o in result.outcomes:
        if o.state in ("published", "scheduled"):
            where = o.url or ""
            lines.append(f"{o.state:<10} {o.label}  {where}".rstrip())
        elif o.state == "cancelled":
            lines.append(f"{'pulled back':<10} {o.label}: {o.message}")
        else:
            nxt = (
                " (a later run retries)" if o.state in ("failed", "waiting") and o.retryable else ""
            )
            lines.append(f"{o.state:<10} {o.label}: {o.message}{nxt}")
    plan = result.plan
    if plan is not None:
        recorded = {(o.post, o.channel, o.part) for o in result.outcomes}
        for name in ("missed", "uncertain", "failed", "busy"):
            for p in plan.bucket(name):
                if p.key not in recorded:
                    lines.append(f"{name:<10} {_label(p)}: {p.why}")
        lines += [f"{'damaged':<10} {p.why}" for p in plan.damaged]
        lines += dict.fromkeys(f"{'renamed':<10} {p.why}" for p in plan.renamed)
        if plan.future:
            nxt = plan.future[0].item
            lines.append(
                f"next up    {len(plan.future)} in the future; the next is '{nxt.post}' on"
                f" {channel_name(nxt.channel)} at {iso(nxt.publish_at)}"
            )
    for text in result.blocked:
        lines.append(f"blocked    {text}")
    for text in result.warnings:
        lines.append(f"warning    {text}")
    for text in result.errors:
        lines.append(f"error      {text}")
    if result.local and (result.commits or result.outcomes):
        lines.append(f"note       {result.local}")
    tail = result.headline()
    if result.commits:
        tail += f"; ledger committed{' and pushed' if result.pushed else ''}"
    lines.append(f"cmpub deploy: {tail}")
    return lines


def dry_run_text(result: DeployResult) -> str:
    """The plan with each exact payload; says plainly that nothing happened."""
    plan = result.plan
    assert plan is not None
    out = [f"Dry run at {iso(result.now)}: nothing is sent, written or committed."]
    if result.pause is not None:
        out.append(f"PAUSED: {result.pause.describe()}: a real run would publish nothing.")
    sending = {p.key: payload for p, payload in result.payloads}
    sections = (
        ("Would publish", plan.to_send()),
        ("Would check first (left pending by a run that died)", plan.pending),
        ("Missed (older than the catch-up window)", plan.missed),
        ("Uncertain (a person checks)", plan.uncertain),
        ("Failed (a person acts)", plan.failed),
        ("Waiting for an earlier thread part", plan.waiting),
        ("Claimed by a run in another checkout", plan.busy),
        ("Skipped (no publisher)", plan.skipped),
        ("Held: the ledger record is damaged (a person repairs it)", plan.damaged),
        ("Held: renamed after it went out (add the old id)", plan.renamed),
        ("Future", plan.future),
    )
    for title, items in sections:
        if not items:
            continue
        out.append("")
        out.append(f"{title}: {len(items)}")
        for p in items:
            why = f": {p.why}" if p.why and p.key not in sending else ""
            out.append(f"  {_label(p)} at {iso(p.item.publish_at)}{why}")
            if p.key in sending:
                body = json.dumps(sending[p.key], ensure_ascii=False, indent=2)
                out.extend("    " + line for line in body.splitlines())
    out.append("")
    out.append(
        f"{len(plan.done)} already out, {plan.drafts} draft{'s' if plan.drafts != 1 else ''}"
        " (never published)"
    )
    out += [f"warning: {w}" for w in [*result.warnings, *result.blocked]]
    return "\n".join(out)


# ----------------------------------------------------------------------------- summary


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_markdown(result: DeployResult) -> str:
    """The GitHub Actions step summary: what went out (links), what failed and why, what a
    person must do."""
    out = [f"## cmpub deploy · {iso(result.now)}", ""]
    if result.dry_run:
        out += ["_Dry run: nothing was sent, written or committed._", ""]
    out += [f"**{result.headline()}.**", ""]
    if result.pause is not None:
        out += [
            f"> **Publishing is paused.** {result.pause.describe().capitalize()}.",
            "> Nothing was published. Run `cmpub resume` (and push) to publish again.",
            "",
        ]
    went = result.by_state("published", "scheduled")
    if went:
        out += ["### Went out", "", "| Post | Channel | Link |", "|---|---|---|"]
        for o in went:
            link = f"[{o.url}]({o.url})" if o.url else "—"
            if o.state == "scheduled":
                link += " (scheduled on the network)"
            part = f" (part {o.part + 1}/{o.parts})" if o.parts > 1 else ""
            out.append(
                f"| {_cell(o.title or o.post)} (`{o.post}`){part} | {channel_name(o.channel)} | {_cell(link)} |"
            )
        out.append("")
    failed = result.by_state("failed", "waiting")
    if failed:
        out += [
            "### Did not go out",
            "",
            "| Post | Channel | Why | What next |",
            "|---|---|---|---|",
        ]
        for o in failed:
            nxt = "a person acts" if o.needs_person else "the next run retries"
            part = f" (part {o.part + 1}/{o.parts})" if o.parts > 1 else ""
            out.append(
                f"| `{o.post}`{part} | {channel_name(o.channel)} | {_cell(o.message)} | {nxt} |"
            )
        out.append("")
    person = [line for line in result.needs_person if not line.startswith("publishing is paused")]
    if person:
        out += ["### Needs a person", ""]
        out += [f"- {_cell(line)}" for line in person]
        out += [
            "",
            "Missed: publish with `cmpub deploy --include-missed`, or give the post a new date."
            " Uncertain: check the network, then set the record's `state` to `published`"
            " (or delete the record to send again). A credential: set the secret in"
            " Settings → Secrets and variables → Actions, then run"
            " `cmpub deploy --retry-failed` (add `--include-missed` after 6 hours).",
            "",
        ]
        if result.plan is not None and (result.plan.damaged or result.plan.renamed):
            out += [
                "Damaged: restore the record from git, as the line says; nothing is sent for"
                " it until then. Renamed: add the old `id:` to the renamed file.",
                "",
            ]
    if result.errors or result.warnings:
        out += ["### Notes", ""]
        out += [f"- {_cell(t)}" for t in [*result.errors, *result.warnings]]
        out.append("")
    if result.plan is not None and result.plan.future:
        nxt = result.plan.future[0].item
        out += [
            f"Next up: `{nxt.post}` on {channel_name(nxt.channel)} at {iso(nxt.publish_at)}"
            f" ({len(result.plan.future)} in the future).",
            "",
        ]
    return "\n".join(out)
