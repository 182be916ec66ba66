"""Journal import (序时账): a union's year of books from its accounting software's export, all or nothing."""

from .importer import (  # noqa: F401
    JournalFileError,
    JournalResult,
    Problem,
    journal_import,
    journal_imported,
    problems_report,
)
from .reading import KIND  # noqa: F401
