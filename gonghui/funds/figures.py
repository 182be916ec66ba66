"""The ``funds.*`` figures of FIGURES.md, one module per part of the app."""

from . import figures_books, figures_budget, figures_income, figures_journal, figures_rules  # noqa: F401
