"""The ``ecoscore`` command line (``main``)."""

from ecoscore.cli.main import main

__all__ = ["main"]
