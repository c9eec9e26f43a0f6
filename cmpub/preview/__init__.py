"""``cmpub preview``: a local review studio for a project (see :mod:`cmpub.preview.server`).

- :mod:`~cmpub.preview.state`: snapshots of the project and how they are built (full or quick)
- :mod:`~cmpub.preview.pages`: the data of each studio page, and per-network highlighting
- :mod:`~cmpub.preview.watcher`: the ``watchfiles`` loops that trigger rebuilds
- :mod:`~cmpub.preview.server`: the HTTP server, live reload (server-sent events), file serving
"""
