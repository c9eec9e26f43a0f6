#!/usr/bin/env bash
# The README's test command: set up everything the suite needs, then run all of it.
#
#   bash tests/run.sh [PYTEST ARGS...]     # after: python3 -m venv .venv && .venv/bin/pip install -e '.[test]'
#
# 1. tests/support/browser/setup.sh: Debian's chromium, the emoji and CJK fonts, Playwright (apt needs
#    root the first time); tests/support/servers/pds/setup.sh: Node 22 and the Bluesky PDS (~3 min the
#    first time). Both only check when everything is there (a few seconds).
# 2. pytest with CMPUB_REQUIRE_TOOLS=1: a test that would skip for a missing tool fails instead
#    (tests/conftest.py), so a green run has run every test; the skips that remain are the ones
#    tests/conftest.py accepts, with their reason. No test collected (pytest's exit 5) fails too.
#
# PYTHON selects the interpreter (default .venv/bin/python), e.g. a venv with the wheel installed.
set -uo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
if [ ! -x "$python" ]; then
    echo "tests: $python not found: first run python3 -m venv .venv && .venv/bin/pip install -e '.[test]'" >&2
    exit 2
fi
if ! "$python" -c "import pytest, mastodon_mock, check_jsonschema, build" 2>/dev/null; then
    echo "tests: the test extra is not installed in $python: run .venv/bin/pip install -e '.[test]'" >&2
    exit 2
fi
bash tests/support/browser/setup.sh "$python" || { echo "tests: browser and fonts setup failed" >&2; exit 1; }
bash tests/support/servers/pds/setup.sh || { echo "tests: Bluesky PDS setup failed" >&2; exit 1; }

export CMPUB_REQUIRE_TOOLS=1 CMPUB_REQUIRE_PDS=1 CMPUB_REQUIRE_BROWSER=1 CMPUB_REQUIRE_MASTODON_MOCK=1
"$python" -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "tests: pytest collected no test: failing" >&2
    exit 1
fi
exit "$status"
