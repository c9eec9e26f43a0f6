"""L3 build: build(), its cache, output (the only writer of dist/), site, preview, review."""
