"""cmpub: content-as-code publishing for community managers.

Posts are Markdown files with YAML front matter in git; cmpub checks them against each
platform's real rules, renders what each network gets, and publishes exactly once.
"""

#: The one place the version is written: pyproject.toml reads it (setuptools' dynamic version),
#: ``cmpub --version`` prints it, and a release tag ``v<version>`` must match it.
__version__ = "0.1.0"
