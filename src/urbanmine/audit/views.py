"""The data steward's view of the audit log: who changed what, when, old → new."""

from __future__ import annotations

from itertools import islice

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from .exports import audit_csv
from .forms import AuditFilterForm
from .permissions import audit_may_view
from .selectors import audit_entries, audit_rows

PAGE_SIZE = 50
#: the export's chunk: rows are built (and their objects linked) this many at a time
EXPORT_CHUNK = 2000


@login_required
def audit_log(request):
    if not audit_may_view(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    entries = audit_entries(**filters)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            audit_csv(_rows_in_chunks(entries)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="urbanmine-wijzigingslogboek.csv"'
        return response
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    context = {
        "form": form,
        "page": page,
        "rows": audit_rows(page.object_list, admin_links=request.user.is_staff),
        "query": query.urlencode(),
    }
    return render(request, "audit/audit_log.html", context)


def _rows_in_chunks(entries):
    iterator = entries.iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(iterator, EXPORT_CHUNK)):
        yield from audit_rows(chunk)
