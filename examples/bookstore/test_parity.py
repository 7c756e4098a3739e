"""Parity tests for the bookstore migration: one pytest test per operation of the legacy contract.

    pytest examples/bookstore/test_parity.py                  # both suites
    pytest examples/bookstore/test_parity.py -k modern        # the faithful port only: passes
    pytest examples/bookstore/test_parity.py -k "regressed and GET and /books"
    pytest examples/bookstore/test_parity.py -n auto          # with pytest-xdist: operations spread over workers

`test_modern_port` passes: modern_app.py is a faithful port. `test_regressed_port` fails once per
operation that regressed_app.py broke (see REGRESSIONS.md), each failure showing the differing
responses side by side and a curl command per side. Both apps' module-level `reset()` is found and
called before every request, so each case starts from the seed data.
"""

from apiparity.pytest_plugin import parity

# Small and fixed: the same seed gives the same requests on every run and every xdist worker.
SETTINGS = {"max_examples": 10, "seed": 0}

test_modern_port = parity("legacy_app.py:app", "modern_app.py:app", **SETTINGS)
test_regressed_port = parity("legacy_app.py:app", "regressed_app.py:app", **SETTINGS)
