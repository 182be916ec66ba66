"""The small spreadsheet imports' page: upload, see every row checked (or each refused row with its reason, and the
error report to download), then confirm. The checked file is kept in the session, bound to the user and to the
object it goes into, until the confirmation; nothing is written before it, and the write checks everything again.

The big imports (the roster, the journal) run as background jobs instead (``core.import_jobs``)."""

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024


@dataclass
class CheckedImport:
    """One import page. ``rows(data, filename)`` reads and checks the file and returns an object with ``problems``
    (a list of messages) and whatever ``shown`` needs; ``shown(read)`` gives the page's extra context for a file that
    passed (the checked rows, counts); ``report(read)`` is the error-report download; ``write(data, filename)`` writes
    everything or raises ValidationError; ``done(result)`` gives the success message. ``bound`` names the object the
    file goes into (for instance ``{"plan": 12}``): a checked file is confirmed only for the same user and object."""

    session_key: str
    template: str
    form_class: type
    context: dict
    rows: Callable[[bytes, str], Any]
    shown: Callable[[Any], dict]
    report: Callable[[Any], HttpResponse]
    write: Callable[[bytes, str], Any]
    done: Callable[[Any], str]
    success_url: str
    retry_url: str
    bound: dict = field(default_factory=dict)
    too_big: str = ""


def checked_import(request: HttpRequest, page: CheckedImport) -> HttpResponse:
    ctx = dict(page.context)
    if request.method == "POST" and request.POST.get("confirm"):
        return _confirm(request, page, ctx)
    form = page.form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", page.too_big or _("The file is larger than 2 MB: split it."))
            return render(request, page.template, {**ctx, "form": form}, status=422)
        data = upload.read()
        read = page.rows(data, upload.name)
        if request.POST.get("report"):
            return page.report(read)
        if read.problems:
            return render(request, page.template, {**ctx, "form": form, "result": {"problems": read.problems}},
                          status=422)
        token = secrets.token_urlsafe(16)
        request.session[page.session_key] = {"token": token, "user": request.user.pk, **page.bound,
                                             "name": upload.name[:100], "data": base64.b64encode(data).decode()}
        return render(request, page.template, {**ctx, **page.shown(read), "form": page.form_class(), "token": token})
    return render(request, page.template, {**ctx, "form": form}, status=422 if request.method == "POST" else 200)


def _confirm(request: HttpRequest, page: CheckedImport, ctx: dict) -> HttpResponse:
    held = request.session.get(page.session_key) or {}
    if not held or not secrets.compare_digest(str(held.get("token", "")), request.POST.get("confirm", "")) \
            or held.get("user") != request.user.pk or any(held.get(k) != v for k, v in page.bound.items()):
        messages.error(request, _("The checked file has expired: upload it again."))
        return redirect(page.retry_url)
    try:
        result = page.write(base64.b64decode(held["data"]), held["name"])
    except ValidationError as exc:
        return render(request, page.template,
                      {**ctx, "form": page.form_class(), "result": {"problems": exc.messages}}, status=422)
    finally:
        request.session.pop(page.session_key, None)
    messages.success(request, page.done(result))
    return redirect(page.success_url)
