"""Rule families: one module per family, each a `RULES` list of `Rule` records."""
