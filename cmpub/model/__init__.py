"""L0 model: data, errors, clock, yamldoc, schema. Pure: no I/O."""
