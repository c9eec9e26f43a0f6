"""Pelican settings for the benchmark corpus (bench/build.py passes the content path and -o).

Minimal and fair: the default theme (notmyidea, shipped with Pelican), default feeds, every post
an article page, paginated like cmpub's site (24 per page), no content cache (full builds).
"""

AUTHOR = "Corpus"
SITENAME = "Corpus"
SITEURL = "https://example.com"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "en"

ARTICLE_PATHS = ["posts"]
STATIC_PATHS = []  # the 50 source photos are not copied (cmpub --no-images does not either)
DEFAULT_PAGINATION = 24

# Full builds: nothing read from or written to Pelican's content cache.
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False

# The corpus' front matter is YAML with nested keys (cta, images), which Python-Markdown's
# 'meta' extension cannot read; see plugins/yaml_front_matter.py.
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["yaml_front_matter"]
