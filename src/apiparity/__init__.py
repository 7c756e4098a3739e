"""apiparity: is the FastAPI replacement safe to take the legacy Flask service's traffic?"""

__version__ = "0.1.0"
__all__ = ["__version__"]
