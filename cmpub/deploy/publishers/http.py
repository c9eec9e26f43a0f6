"""Shared HTTP plumbing for publishers: one client factory, one error mapping, one retry policy.

Every network publisher builds its client with :func:`client` (so tests inject a transport
through ``context["transport"]``), turns every failure into a :class:`PublishError` with
:func:`error_for_response` / :func:`error_for_exception` (plain words, the cause kept, secrets
redacted), and leaves retrying to deploy, which follows :class:`RetryPolicy` with an injected
``sleep``. The mapping:

    2xx                      success
    408, 5xx                 retryable ("server")
    429                      retryable, honouring Retry-After ("rate-limit")
    401, 403                 needs a person: the credential ("auth")
    other 4xx                needs a person: the post or the settings ("rejected")
    connection refused,      retryable, nothing was sent ("network")
    connect timeout
    read/write timeout,      retryable but maybe sent: deploy asks ``lookup`` first ("timeout")
    dropped connection
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from cmpub import __version__
from cmpub.deploy.publishers.base import PublishError, Secret, clip, redact

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")

USER_AGENT = f"cmpub/{__version__} (+https://github.com/cmpub)"
DEFAULT_TIMEOUT = 20.0


def client(
    context: Mapping[str, Any],
    *,
    base_url: str = "",
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` using ``context["transport"]`` when given (tests), else the network."""
    import httpx

    seconds = timeout or context.get("timeout") or DEFAULT_TIMEOUT
    return httpx.Client(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        timeout=httpx.Timeout(seconds, connect=min(seconds, 10.0)),
        transport=context.get("transport"),
        follow_redirects=False,
    )


def host(url: str) -> str:
    """The host of ``url`` (what messages show: a webhook URL's path may hold a token)."""
    return urlsplit(url).hostname or url


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds, or an HTTP date measured against ``Date``)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
        said = response.headers.get("Date")
        base = email.utils.parsedate_to_datetime(said) if said else None
    except (TypeError, ValueError):
        return None
    if base is None:
        return None
    return max(0.0, (when - base).total_seconds())


#: Characters of a server's answer read at most (clipped with an ellipsis, so that redaction
#: hides a secret the clip would cut), and shown at most once redacted.
_READ = 100_000
_SHOWN = 300


def server_message(response: httpx.Response, secrets: Iterable[Secret | str] = ()) -> str:
    """What the server said, briefly: a JSON ``error``/``message``/``detail``, else the text;
    secrets redacted first, then cut (a server may echo our request, credentials and all)."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict):
        parts = [
            str(data[k]) for k in ("error", "message", "detail", "error_description") if data.get(k)
        ]
        if parts:
            return redact(clip(": ".join(dict.fromkeys(parts)), _READ), secrets, _SHOWN)
    text = clip(response.text, _READ).strip() if response.content else ""
    return redact(" ".join(text.split()), secrets, _SHOWN)


def error_for_response(
    response: httpx.Response,
    *,
    network: str,
    action: str,
    credential: str | None = None,
    secrets: Iterable[Secret | str] = (),
) -> PublishError:
    """The PublishError for a non-2xx answer, in words a community manager understands.

    ``network`` is the name people know ("Bluesky", "the webhook at hooks.example"),
    ``action`` what we were doing ("posting", "uploading the image"), ``credential`` the
    environment variable to check when the answer is 401/403.
    """
    status = response.status_code
    secrets = list(secrets)
    said = server_message(response, secrets)
    detail = f" ({said})" if said else ""
    if status == 429:
        wait = retry_after_seconds(response)
        when = f" in {wait:g} s" if wait is not None else " later"
        message = f"{network} asks us to slow down while {action} (429 too many requests): will retry{when}"
        return _error(
            message, secrets, retryable=True, retry_after=wait, status=status, code="rate-limit"
        )
    if status == 408 or status >= 500:
        message = (
            f"{network} had a problem on its side while {action} ({status}){detail}: will retry"
        )
        return _error(
            message,
            secrets,
            retryable=True,
            retry_after=retry_after_seconds(response),
            status=status,
            code="server",
        )
    if status in (401, 403):
        check = f": check or replace {credential}" if credential else ""
        what = "rejected the credentials" if status == 401 else "refused the request"
        message = f"{network} {what} while {action} ({status}){detail}{check}"
        return _error(
            message, secrets, retryable=False, needs_person=True, status=status, code="auth"
        )
    if status == 404:
        message = f"{network} answered 'not found' while {action} (404){detail}: check the address in cmpub.yaml"
    elif status == 413:
        message = f"{network} rejected what we sent while {action}: it is too large (413){detail}"
    else:
        message = f"{network} rejected what we sent while {action} ({status}){detail}"
    return _error(
        message, secrets, retryable=False, needs_person=True, status=status, code="rejected"
    )


def error_for_exception(
    exc: Exception, *, network: str, action: str, secrets: Iterable[Secret | str] = ()
) -> PublishError:
    """The PublishError for a transport failure (raise it ``from exc`` to keep the cause)."""
    import httpx

    secrets = list(secrets)
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError | httpx.UnsupportedProtocol):
        message = (
            f"could not reach {network} while {action} ({why(exc, secrets)}): nothing was sent;"
            " will retry"
        )
        return _error(message, secrets, retryable=True, code="network")
    if isinstance(exc, httpx.TimeoutException):
        message = (
            f"{network} did not answer in time while {action}: it may or may not have received it"
        )
        return _error(message, secrets, retryable=True, maybe_sent=True, code="timeout")
    message = (
        f"the connection to {network} broke while {action} ({why(exc, secrets)}): it may or may not "
        "have received it"
    )
    return _error(message, secrets, retryable=True, maybe_sent=True, code="network")


def why(exc: Exception, secrets: Iterable[Secret | str] = ()) -> str:
    """An exception's words, briefly, secrets redacted first (a URL in it may hold a token)."""
    text = str(exc).strip()
    return redact(text, secrets, 160) if text else type(exc).__name__


def _error(message: str, secrets: Iterable[Secret | str], **kwargs: Any) -> PublishError:
    return PublishError(redact(message, secrets), **kwargs)


def json_body(data: Any) -> bytes:
    """Compact, key-sorted UTF-8 JSON: the bytes that are signed are the bytes that are sent."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# ----------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a retryable failure within one run.

    Waits grow ``base * factor**(attempt-1)`` up to ``max_delay``; a server's ``Retry-After``
    replaces the computed wait (capped by ``max_delay``); ``max_total`` caps the sum of waits,
    after which the item is recorded as failed and the next run tries again.
    """

    max_attempts: int = 3
    base: float = 2.0
    factor: float = 2.0
    max_delay: float = 60.0
    max_total: float = 120.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        return min(self.base * self.factor ** (attempt - 1), self.max_delay)


def with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> T:
    """Run ``call``, retrying a PublishError that is retryable and surely not sent.

    For a publisher's own idempotent sub-requests (reading an instance's limits, polling a
    media upload); deploy runs the item-level loop itself because it also asks ``lookup``.
    """
    waited = 0.0
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except PublishError as exc:
            if not exc.retryable or exc.maybe_sent or attempt >= policy.max_attempts:
                raise
            wait = policy.delay(attempt, exc.retry_after)
            if waited + wait > policy.max_total:
                raise
            sleep(wait)
            waited += wait


__all__ = [
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "RetryPolicy",
    "client",
    "error_for_exception",
    "error_for_response",
    "host",
    "json_body",
    "retry_after_seconds",
    "server_message",
    "why",
    "with_retries",
]
