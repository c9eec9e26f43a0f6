"""``python -m cmpub``: the same command line as the ``cmpub`` script."""

from cmpub.cli import main

main()
