"""Command-line commands kept in their own modules (layer L5, loaded lazily by ``cmpub.cli``)."""
