"""Property tests: whatever bytes or YAML a post holds, cmpub answers with Problems, never a crash."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmpub.model.errors import Problem
from cmpub.read.config import channel_rules, load_config
from cmpub.read.posts import Loader
from cmpub.render.validate import check_channel
from tests.support.project import CONFIG

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_KEYS = st.sampled_from(
    [
        "title",
        "date",
        "channels",
        "summary",
        "cta",
        "images",
        "tags",
        "poll",
        "thread",
        "overrides",
        "status",
        "timezone",
        "id",
        "lang",
        "cw",
        "reshare",
        "x",
        "text",
        "url",
        "src",
        "alt",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["2026-12-01 10:00", "2026-02-30", "2027-03-28 02:30", "x", "bluesky", "24h"]),
)
_DOCS = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_KEYS | st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=25,
)


def _project(tmp_path: Path) -> tuple[Path, Loader]:
    root = tmp_path / "p"
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "cmpub.yaml").write_text(CONFIG, encoding="utf-8")
    return root, Loader(load_config(root))


def _check(root: Path, loader: Loader, data: bytes) -> None:
    path = root / "content" / "post.md"
    path.write_bytes(data)
    post, problems = loader.load_post(path)
    assert all(isinstance(p, Problem) and p.path == "content/post.md" for p in problems)
    if post is None:
        assert any(p.severity == "error" for p in problems)
        return
    for channel in post.channels:
        copy, _ = check_channel(post, channel, channel_rules(loader.config, channel), loader.config)
        assert copy.parts and all(isinstance(part, str) for part in copy.parts)


@SETTINGS
@given(st.binary(max_size=600))
def test_arbitrary_bytes_never_crash(tmp_path: Path, data: bytes) -> None:
    root, loader = _project(tmp_path)
    _check(root, loader, data)


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_front_matter_never_crash(tmp_path: Path, data: bytes) -> None:
    root, loader = _project(tmp_path)
    _check(root, loader, b"---\n" + data + b"\n---\nBody\n")


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_text_as_front_matter_never_crash(tmp_path: Path, text: str) -> None:
    root, loader = _project(tmp_path)
    _check(root, loader, ("---\n" + text + "\n---\nBody\n").encode("utf-8", "surrogatepass"))


@SETTINGS
@given(_DOCS)
def test_arbitrary_yaml_documents_never_crash(tmp_path: Path, doc: object) -> None:
    root, loader = _project(tmp_path)
    front = yaml.safe_dump(doc, allow_unicode=True)
    _check(root, loader, ("---\n" + front + "---\nBody text.\n").encode("utf-8", "surrogatepass"))


@SETTINGS
@given(
    st.fixed_dictionaries(
        {"title": st.text(min_size=1, max_size=30), "date": st.just("2026-12-01 10:00")},
        optional={
            "channels": st.lists(
                st.sampled_from(
                    [
                        "site",
                        "bluesky",
                        "mastodon",
                        "x",
                        "instagram",
                        "threads",
                        "linkedin",
                        "facebook",
                        "outbox",
                    ]
                ),
                unique=True,
                max_size=5,
            ),
            "summary": st.text(max_size=600),
            "tags": st.lists(
                st.from_regex(r"[a-z]{1,12}", fullmatch=True), unique=True, max_size=40
            ),
            "thread": st.booleans(),
            "poll": st.fixed_dictionaries(
                {
                    "question": st.text(min_size=1, max_size=50),
                    "options": st.lists(
                        st.text(min_size=1, max_size=60), min_size=2, max_size=6, unique=True
                    ),
                    "duration": st.sampled_from(["5m", "24h", "3d", "60d"]),
                }
            ),
            "cw": st.text(min_size=1, max_size=40),
        },
    )
)
def test_well_formed_posts_render_on_every_channel(tmp_path: Path, doc: dict) -> None:
    root, loader = _project(tmp_path)
    front = yaml.safe_dump(doc, allow_unicode=True)
    _check(root, loader, ("---\n" + front + "---\nBody text.\n").encode("utf-8", "surrogatepass"))
