"""The ``aid.*`` figures of FIGURES.md, one module per part of the app (figures_<part>.py, imported here)."""

from . import figures_archive, figures_drives, figures_mutual, figures_programs  # noqa: F401
