"""The publishers of one deploy run: built once per channel, secrets gathered for redaction.

A channel whose publisher cannot be built (a missing secret, no publisher module, bad
settings) is *blocked*: its items are not claimed, and the reason goes to the result as a
line a person can act on. Every message of the run goes through :meth:`Channels.redact`,
which hides every secret of every publisher (asked again each time: a session token that
appears mid-run is hidden too) and every ``CMPUB_*_SECRET|TOKEN|PASSWORD|KEY`` value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cmpub.build.pipeline import CACHE_DIR
from cmpub.deploy.publishers import NoPublisher, available, get_publisher_class
from cmpub.deploy.publishers.base import Publisher, Secret, redact
from cmpub.model.errors import CmpubError
from cmpub.model.project import Config

SECRET_SUFFIXES = ("_SECRET", "_TOKEN", "_PASSWORD", "_KEY")


class Channels:
    """Channel id -> its publisher for this run (built on first use)."""

    def __init__(
        self,
        config: Config,
        root: Path,
        now: datetime,
        env: Mapping[str, str],
        *,
        transports: Mapping[str, Any] | None = None,
        overrides: Mapping[str, Publisher] | None = None,
        sleep: Callable[[float], None] | None = None,
        timeout: float | None = None,
    ) -> None:
        self.config, self.root, self.now, self.env = config, root, now, env
        self.transports = dict(transports or {})
        self.overrides = dict(overrides or {})
        self.sleep, self.timeout = sleep, timeout
        self.blocked: list[str] = []
        self._built: dict[str, Publisher | None] = {}
        self._env_secrets = [
            v
            for k, v in env.items()
            if k.startswith("CMPUB_") and k.endswith(SECRET_SUFFIXES) and len(v) >= 4
        ]

    def get(self, channel: str) -> Publisher | None:
        """The channel's publisher, or None (and a blocked line) when it cannot be built."""
        if channel in self.overrides:
            return self.overrides[channel]
        if channel not in self._built:
            known = self.config.channels.get(channel)
            context = {
                "root": self.root,
                "dist": self.root / "dist",
                "now": self.now,
                "transport": self.transports.get(channel),
                "timeout": self.timeout,
                "sleep": self.sleep,
                "state_dir": self.root / CACHE_DIR,
            }
            built: Publisher | None = None
            try:
                cls = get_publisher_class(channel)
                built = cls.from_env(self.env, known.settings if known else {}, context)
            except (CmpubError, ValueError) as exc:  # MissingSecret, NoPublisher, settings
                self.blocked.append(self.redact(str(exc)))
            self._built[channel] = built
        return self._built[channel]

    def implemented(self) -> set[str]:
        """Configured channels that have a publisher in this installation."""
        return {c for c in self.config.channels if c in self.overrides or available(c)}

    def native(self) -> set[str]:
        """Channels set to ``schedule: native`` whose publisher can schedule natively."""
        out = set()
        for channel, settings in self.config.channels.items():
            if settings.get("schedule") != "native":
                continue
            try:
                cls: Any = self.overrides.get(channel) or get_publisher_class(channel)
            except NoPublisher:
                continue
            if cls.capabilities.native_schedule:
                out.add(channel)
        return out

    def secrets(self) -> list[Secret | str]:
        """Every secret known now: the environment's and every built publisher's."""
        out: list[Secret | str] = list(self._env_secrets)
        for pub in [*self._built.values(), *self.overrides.values()]:
            if pub is not None:
                out += list(pub.secrets())
        return out

    def redact(self, text: str) -> str:
        """``text`` with every secret hidden."""
        return redact(text, self.secrets())
