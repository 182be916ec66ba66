"""The ``oversight.*`` figures of FIGURES.md, one module per part of the app (figures_<part>.py, imported here)."""

from . import figures_ledger, figures_problems, figures_tasks, figures_visits  # noqa: F401
