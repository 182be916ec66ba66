"""What a roster import found: the problems by line and the counts."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gonghui.core import tabular

from .columns import BY_KEY

# --- results -------------------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int  # the row number the user sees in the spreadsheet (1-based)
    field: str  # the column key ("" for the row or the file as a whole)
    column: str  # the header as written in the file
    value: str  # the cell as shown (ID and phone numbers masked)
    message: str
    code: str = ""


@dataclass
class RosterResult:
    filename: str
    union_code: str
    dry_run: bool = False
    skip_invalid: bool = False
    header_row: int = 0  # 1-based
    columns: list[tabular.MappedColumn] = field(default_factory=list)
    total: int = 0  # data rows (blank rows are not counted)
    # Rows that were, or in a dry run or a refused import would have been, created / updated / left alone.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False  # the file as a whole cannot be imported (a required column is missing, no rows)
    committed: bool = False
    preview: list[dict] = field(default_factory=list)
    # The union's active members before the import and its employee count (0: not recorded), to catch an import
    # that would make members outnumber employees (8,000 members in a union of 70 employees).
    members_before: int = 0
    employees: int = 0
    accept_over_employees: bool = False

    @property
    def members_after(self) -> int:
        return self.members_before + self.created

    @property
    def over_employees(self) -> bool:
        """Whether the import would give the union more members than employees (only with rows to add)."""
        return bool(self.employees) and self.created > 0 and self.members_after > self.employees

    @property
    def blocked_over_employees(self) -> bool:
        return self.over_employees and not self.accept_over_employees

    def over_employees_message(self) -> str:
        return _("After this import the union would have %(members)s members but only %(employees)s employees. "
                 "Check the roster, or correct the union's employee count first; if the figures are right, "
                 "confirm that you accept more members than employees.") % {
            "members": self.members_after, "employees": self.employees}

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def refused_lines(self) -> set[int]:
        return {p.row for p in self.problems if p.row > self.header_row}

    @property
    def refused(self) -> int:
        return len(self.refused_lines)

    @property
    def transfer_candidates(self) -> int:
        return len({p.row for p in self.problems if p.code == "active_elsewhere"})

    @property
    def importable(self) -> bool:
        """Whether the import can go ahead: no file-level problem, valid rows, and either no refused row
        or only the valid rows asked for."""
        return not self.fatal and (self.ok or self.skip_invalid) and self.created + self.updated + self.unchanged > 0

    def mapping(self) -> list[dict]:
        return [{"header": c.header, "meaning": BY_KEY[c.key].header if c.key else "",
                 "duplicate_of": c.duplicate_of} for c in self.columns]

    def mapped_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.key]

    def summary(self, max_problems: int = 200) -> dict:
        """What a screen shows of the result, JSON-serializable (ID and phone numbers are masked)."""
        return {
            "header_row": self.header_row, "columns": self.mapping(), "mapped_headers": self.mapped_headers(),
            "total": self.total, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "refused": self.refused, "transfer_candidates": self.transfer_candidates, "fatal": self.fatal,
            "committed": self.committed, "importable": self.importable, "preview": self.preview,
            "problems_total": len(self.problems), "valid": self.created + self.updated + self.unchanged,
            "members_before": self.members_before, "members_after": self.members_after,
            "employees": self.employees, "over_employees": self.over_employees,
            "over_employees_message": self.over_employees_message() if self.over_employees else "",
            "problems": [{"row": p.row, "field": p.field, "column": p.column, "value": p.value,
                          "message": p.message, "code": p.code} for p in self.problems[:max_problems]],
        }


