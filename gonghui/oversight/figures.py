"""The ``oversight.*`` figures of FIGURES.md, one module per part of the app (figures_<part>.py, imported here)."""
from . import (
    figures_ledger,  # noqa: F401
    figures_problems,  # noqa: F401
    figures_visits,  # noqa: F401
)
