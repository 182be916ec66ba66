"""The reusable list page: filter, sort, paginate, and export the filtered rows to xlsx (audited)."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import audit
from .pagination import PAGE_SIZES, ListPager
from .spreadsheets import export_filename, sheet_name, write_xlsx, xlsx_response


@dataclass
class Column:
    label: str
    value: Callable  # obj -> displayed value
    sort: str = ""  # an order_by field, when sortable
    url: Callable | None = None  # obj -> link
    export: Callable | None = None  # obj -> value in the xlsx (defaults to ``value``)


class ListPage:
    def __init__(self, request, queryset, columns: list[Column], *, filter_form=None, default_sort: str = "",
                 per_page: int = 50, export_name: str = "", object_type: str = "", export_title: str = "",
                 export_unit=None, total: int | None = None, estimate: int | None = None):
        """``export_name`` turns the export on; the file is named ``export_title`` (else the page's title), the unit
        (``export_unit``, else the actor's) and the day, in Chinese, with a sheet of the same title. ``total`` is the
        row count when the view knows it cheaply (pre-aggregated); ``estimate`` one to show past the counting cap."""
        self.request = request
        self.export_title = export_title
        self.export_unit = export_unit
        self.columns = columns
        self.filter_form = filter_form
        self.export_name = export_name
        self.object_type = object_type
        sortable = {c.sort for c in columns if c.sort}
        sort = request.GET.get("sort", default_sort)
        if sort.lstrip("-") not in sortable:
            sort = default_sort
        self.sort = sort
        self.queryset = queryset.order_by(sort, "pk") if sort else queryset.order_by("pk")
        asked = request.GET.get("per_page", "")
        self.per_page = int(asked) if asked.isdigit() and int(asked) in PAGE_SIZES else per_page
        self.total, self.estimate = total, estimate

    @property
    def exportable(self) -> bool:
        return bool(self.export_name) and self.request.actor.can("export")

    def _query(self, **changes) -> str:
        params = self.request.GET.copy()
        for key, value in changes.items():
            params.pop(key, None)
            if value is not None:
                params[key] = value
        return urlencode(list(params.lists()), doseq=True)

    @property
    def export_url(self) -> str:
        return "?" + self._query(export="xlsx", page=None)

    @property
    def page_url_prefix(self) -> str:
        q = self._query(page=None)
        return "?" + (q + "&" if q else "") + "page="

    @property
    def page_sizes(self) -> list[dict]:
        return [{"size": n, "active": n == self.per_page, "url": "?" + self._query(per_page=str(n), page=None)}
                for n in PAGE_SIZES]

    @property
    def keep_params(self) -> list[tuple[str, str]]:
        """The query's other parameters, as hidden fields of the jump-to-page form."""
        return [(k, v) for k, values in self.request.GET.lists() if k != "page" for v in values]

    @property
    def header(self) -> list[dict]:
        out = []
        for col in self.columns:
            item = {"label": col.label, "sort_url": "", "sorted": ""}
            if col.sort:
                current = self.sort.lstrip("-") == col.sort
                desc = self.sort.startswith("-")
                item["sorted"] = ("desc" if desc else "asc") if current else ""
                toggled = "-" + col.sort if current and not desc else col.sort
                item["sort_url"] = "?" + self._query(sort=toggled, page=None)
            out.append(item)
        return out

    def paginate(self, *, total: int | None = None):
        total = self.total if total is None else total
        self.page = ListPager(self.queryset, number=self.request.GET.get("page"), per_page=self.per_page,
                              total=total, estimate=self.estimate)
        self.rows = [
            [{"text": _display(c.value(obj)), "url": c.url(obj) if c.url else ""} for c in self.columns]
            for obj in self.page.object_list
        ]

    def export(self, title: str = ""):
        actor = self.request.actor
        actor.require("export")
        form = self.filter_form
        if form is not None and form.is_bound and not form.is_valid():
            # A filter that is refused must never widen the file to everything: back to the list and its errors.
            messages.error(self.request, _("Correct the filters before exporting."))
            return redirect(self.request.path + "?" + self._query(export=None))
        rows = ([(c.export or c.value)(obj) for c in self.columns] for obj in self.queryset.iterator(chunk_size=2000))
        title = str(self.export_title or title or self.export_name)
        content = write_xlsx([str(c.label) for c in self.columns], rows, sheet=sheet_name(title))
        audit.record(actor=actor, action="export", object_type=self.object_type,
                     details={"filters": {k: v for k, v in self.request.GET.items() if k not in ("export", "page")},
                              "masked": True})
        return xlsx_response(content, export_filename(title, unit=self.export_unit or actor.org))

    def response(self, template: str = "core/list.html", context: dict | None = None):
        if self.request.GET.get("export") == "xlsx" and self.export_name:
            return self.export((context or {}).get("title", ""))
        self.paginate()
        return render(self.request, template, {"listing": self, **(context or {})})


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
