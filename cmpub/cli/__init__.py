"""L5 command line: the only layer that prints, reads the environment and exits."""

from cmpub.cli.app import main

__all__ = ["main"]
