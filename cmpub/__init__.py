"""cmpub: content-as-code publishing for community managers.

Posts are Markdown files with YAML front matter in git; cmpub checks them against each
platform's real rules, renders what each network gets, and publishes exactly once.
"""

__version__ = "0.1.0"
