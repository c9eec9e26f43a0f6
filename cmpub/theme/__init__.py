"""The built-in theme: Jinja2 templates for social copies and the site (overridable by name)."""
