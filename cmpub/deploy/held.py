"""What holds items before the plan is made: damaged ledger records and renamed posts.

Deploy and ``cmpub status`` read the ledger and look for renamed published posts the same
way, through :func:`read`: the :class:`Held` it returns gives :func:`~cmpub.deploy.plan.plan`
its ``damaged`` and ``renamed`` arguments, and the warnings that hold nothing (stray files, a
damaged record of a post that is gone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmpub.deploy import renames
from cmpub.deploy.plan import Plan
from cmpub.read import gitrepo
from cmpub.read.ledger import Key, Scan, scan


@dataclass(frozen=True)
class Held:
    """The ledger as read, and the renamed and deleted published posts."""

    ledger: Scan
    found: renames.Found

    @property
    def damaged(self) -> dict[Key, str]:
        """Key -> why its record holds it (the ``damaged`` argument of ``plan``)."""
        return {key: d.describe() for key, d in self.ledger.damaged.items()}

    @property
    def renamed(self) -> dict[str, str]:
        """Post id -> why it is held (the ``renamed`` argument of ``plan``)."""
        return self.found.held()

    def warnings(self, the_plan: Plan) -> list[str]:
        """Stray files, and damaged records that hold nothing in ``the_plan``."""
        holding = {p.key for p in the_plan.damaged}
        return [
            *(d.describe() for k, d in sorted(self.ledger.damaged.items()) if k not in holding),
            *(s.describe() for s in self.ledger.strays),
        ]


def read(
    root: Path,
    manifest: Mapping[str, Any],
    ledger_dir: str,
    content_dir: str,
    repo: gitrepo.Repo | None,
) -> Held:
    """Read ``ledger/`` and recognise renamed published posts (git's history when needed)."""
    ledger = scan(root, ledger_dir)
    found = renames.find(
        root,
        manifest,
        ledger.records,
        content_dir,
        renames.git_renames(repo, root, content_dir),
    )
    return Held(ledger, found)
