"""An app whose module imports a dependency that is not installed."""

import apiparity_no_such_database_driver  # noqa: F401

app = None
