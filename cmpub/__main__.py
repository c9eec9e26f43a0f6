"""``python -m cmpub``: the same command line as the ``cmpub`` script."""

from cmpub.cli.app import main

main()
