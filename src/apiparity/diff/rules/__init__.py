"""Rule families: one module per family, each exporting `RULES` (its rows) and `DETECTORS` (its detection); the registry finds them."""
