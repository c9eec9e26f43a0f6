"""``cmpub preview``: a local review studio for a project (see :mod:`cmpub.build.preview.server`).

- :mod:`~cmpub.build.preview.state`: snapshots of the project and how they are built (full or quick)
- :mod:`~cmpub.build.preview.pages`: the data of each studio page, and per-network highlighting
- :mod:`~cmpub.build.preview.watcher`: the ``watchfiles`` loops that trigger rebuilds
- :mod:`~cmpub.build.preview.server`: the HTTP server, live reload (server-sent events), file serving
"""
