"""cmpub.yaml: unknown keys, wrong types and bad values are Problems at cmpub.yaml:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmpub.model.errors import ConfigError
from cmpub.read.config import channel_rules, load_config
from tests.support.project import CONFIG, MakeProject


def config_problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(root)
    return [str(p) for p in info.value.problems]


def test_the_test_config_loads(make_project: MakeProject) -> None:
    config = load_config(make_project())
    assert config.site.url == "https://cafe.example"
    assert config.default_channels == ("site", "bluesky", "mastodon", "x")
    assert config.default_time == "09:30"
    assert channel_rules(config, "mastodon").max_length.value == 500


def test_mastodon_limit_comes_from_the_instance_settings(make_project: MakeProject) -> None:
    text = CONFIG.replace(
        "instance: https://social.example}",
        "instance: https://social.example, max_characters: 5000}",
    )
    config = load_config(make_project(config=text))
    assert channel_rules(config, "mastodon").max_length.value == 5000


def test_unknown_key_with_did_you_mean(make_project: MakeProject) -> None:
    text = CONFIG.replace("timezone:", "timezon: x\ntimezone:")
    assert config_problems(make_project(config=text)) == [
        "cmpub.yaml:5:1: error: unknown key 'timezon' (did you mean 'timezone'?)"
    ]


def test_wrong_type_and_bad_values_all_at_once(make_project: MakeProject) -> None:
    text = (
        CONFIG.replace("  language: fr", "  language: [fr]")
        .replace('time: "09:30"', 'time: "9h30"')
        .replace("url: https://cafe.example", "url: cafe.example")
    )
    found = config_problems(make_project(config=text))
    assert found == [
        "cmpub.yaml:3:3: error: 'site.url' must be an absolute URL starting with https://, got "
        "'cafe.example' (for example https://example.com/page)",
        "cmpub.yaml:4:3: error: 'site.language' must be a language code like 'fr' or 'en-GB', got a list (write 'language:' as a language code like 'fr' or 'en-GB')",
        "cmpub.yaml:8:3: error: 'defaults.time' must be a time of day like \"09:30\", got '9h30' "
        '(for example "09:30" (quoted))',
    ]


def test_unknown_zone(make_project: MakeProject) -> None:
    found = config_problems(make_project(config=CONFIG.replace("Europe/Paris", "Europe/Pari")))
    assert found == [
        "cmpub.yaml:5:1: error: unknown time zone 'Europe/Pari' (did you mean 'Europe/Paris'?)"
    ]


def test_unknown_channel_and_unconfigured_default(make_project: MakeProject) -> None:
    text = CONFIG.replace("  outbox: {}", "  twitter: {}").replace(
        "[site, bluesky", "[site, outbox, bluesky"
    )
    found = config_problems(make_project(config=text))
    assert any(
        "cmpub.yaml:11:3: error: unknown channel 'twitter' (did you mean 'x'?)" in f for f in found
    ), found
    assert any(
        "cmpub.yaml:7:20: error: default channel 'outbox' is not configured" in f for f in found
    ), found


def test_channel_settings_are_checked_per_channel(make_project: MakeProject) -> None:
    text = CONFIG.replace('handle: "@cafe@social.example"', "handle: cafe")
    text = text.replace(
        "bluesky: {handle: cafe.bsky.social}", "bluesky: {hanlde: cafe.bsky.social}"
    )
    found = config_problems(make_project(config=text))
    assert (
        "cmpub.yaml:12:13: error: unknown key 'hanlde' in 'channels.bluesky' (did you mean 'handle'?)"
        in found
    )
    assert any(
        f.startswith("cmpub.yaml:12:3: error: 'channels.bluesky.handle' is required") for f in found
    ), found
    assert any(
        f.startswith("cmpub.yaml:13:14: error: 'channels.mastodon.handle' must be a full handle")
        for f in found
    ), found


def test_bad_colour_and_duration(make_project: MakeProject) -> None:
    text = CONFIG + "brand:\n  colors:\n    primary: red\ndeploy:\n  catch_up: soon\n"
    found = config_problems(make_project(config=text))
    assert found[0].startswith("cmpub.yaml:21:5: error: 'brand.colors.primary' must be a colour")
    assert found[1].startswith("cmpub.yaml:23:3: error: 'deploy.catch_up' must be a duration")


def test_missing_config(make_project: MakeProject) -> None:
    found = config_problems(make_project(config=None))
    assert "cmpub init" in found[0]


def test_broken_yaml_config(make_project: MakeProject) -> None:
    found = config_problems(make_project(config="site: [\n"))
    assert found[0].startswith("cmpub.yaml:2:1: error:")
