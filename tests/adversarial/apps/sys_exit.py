"""An app module that ends the interpreter when imported (a CLI script mistaken for an app)."""

import sys

sys.exit(3)
