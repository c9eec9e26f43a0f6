"""Deploy (layer L4): plan what is due, claim it in the ledger, publish it once, record it.

- :mod:`cmpub.deploy.plan`: the manifest's publications sorted into due / future / missed /
  done / pending / retry / failed / uncertain (pure);
- :mod:`cmpub.deploy.run`: :func:`deploy`, the run itself (lock, build, claim, publish, record);
- :mod:`cmpub.deploy.gitops`: where the ledger goes (refusals before anything is claimed),
  the run's commits and pushes (push races);
- :mod:`cmpub.deploy.held`, :mod:`cmpub.deploy.renames`: what holds an item before the plan
  (a damaged ledger record, a published post renamed without ``id:``);
- :mod:`cmpub.deploy.scheduled`: the run's steps for posts held by a network's scheduler;
- :mod:`cmpub.deploy.pause`: the crisis pause file;
- :mod:`cmpub.deploy.report`: the result, its exit code, the text and the step summary.
"""

from __future__ import annotations

from cmpub.deploy.pause import PAUSE_FILE, Pause, pause, read_pause, resume
from cmpub.deploy.plan import Plan, Planned, entries, plan
from cmpub.deploy.report import (
    EXIT_OK,
    EXIT_PERSON,
    EXIT_RETRY,
    DeployResult,
    Outcome,
    dry_run_text,
    summary_markdown,
    text_lines,
)
from cmpub.deploy.run import deploy

__all__ = [
    "EXIT_OK",
    "EXIT_PERSON",
    "EXIT_RETRY",
    "PAUSE_FILE",
    "DeployResult",
    "Outcome",
    "Pause",
    "Plan",
    "Planned",
    "deploy",
    "dry_run_text",
    "entries",
    "pause",
    "plan",
    "read_pause",
    "resume",
    "summary_markdown",
    "text_lines",
]
