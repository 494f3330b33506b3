"""The data steward's page: who may read it, its filters, links, export and query count."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.support.strict_templates import strict_templates
from urbanmine.assets.services import asset_create
from urbanmine.hubs.services import hub_settings_update


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_platform_wide_users_read_the_log(chain):
    assert Client().get("/audit/").status_code == 302
    assert signed_in(chain.owner_user).get("/audit/").status_code == 403
    assert signed_in(chain.matchmaker_user).get("/audit/").status_code == 200
    staff = get_user_model().objects.create_user("staff", password="pw-test-12345", is_staff=True)
    assert signed_in(staff).get("/audit/").status_code == 200


def test_an_entry_shows_who_when_what_with_a_link_and_old_to_new(chain):
    hub_settings_update(hub=chain.hub, actor=chain.hub_operator_user, max_dwell_days=120)
    with strict_templates() as strict:
        r = signed_in(chain.matchmaker_user).get("/audit/")
    strict.check()
    html = r.content.decode()
    first_row = html.split("<tbody>")[1].split("</tr>")[0]
    assert "hub_operator" in first_row
    assert f'href="/hubs/{chain.hub.pk}/"' in first_row
    assert "270 → 120" in first_row
    hub_created = html.split("<tbody>")[1].split("</tr>")[1]
    assert "— → Hubbeheer Test" in hub_created  # the operator by name, not its id


def _make_asset(chain, name: str, actor=None):
    return asset_create(
        owner=chain.owner,
        actor=actor,
        name=name,
        scope="bu",
        use_type="office",
        lat=51.92,
        lon=4.48,
    )


def test_filters_narrow_the_list(chain):
    _make_asset(chain, "Kantoor Delfshaven", actor=chain.owner_user)
    hub_settings_update(hub=chain.hub, actor=chain.hub_operator_user, capacity_t=Decimal(70))
    old = LogEntry.objects.get(object_repr="Flat Rotterdam")
    LogEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - timedelta(days=40))
    client = signed_in(chain.matchmaker_user)
    page = client.get("/audit/").content.decode()
    assert "Kantoor Delfshaven" in page and "Hub Waalhaven" in page

    def shown(**query) -> str:
        r = client.get("/audit/", query)
        assert r.status_code == 200
        return r.content.decode().split("<tbody>")[1]

    by_owner = shown(actor="OWNER")
    assert "Kantoor Delfshaven" in by_owner and "Hub Waalhaven" not in by_owner
    hub_type = LogEntry.objects.filter(object_repr="Hub Waalhaven").first().content_type_id
    of_hubs = shown(type=hub_type)
    assert "Hub Waalhaven" in of_hubs and "Kantoor Delfshaven" not in of_hubs
    changed = shown(action=LogEntry.Action.UPDATE)
    assert "Hub Waalhaven" in changed and "Kantoor Delfshaven" not in changed
    text = shown(q="delfshaven")
    assert "Kantoor Delfshaven" in text and "Flat Rotterdam" not in text
    # the entry's own local day (40 days ago may lie across a DST change: late in the UTC
    # evening, "today minus 40 days" is not the day the timestamp falls on)
    day = timezone.localtime(LogEntry.objects.get(pk=old.pk).timestamp).date().isoformat()
    that_day = shown(date_from=day, date_to=day)
    assert "Flat Rotterdam" in that_day and "Kantoor Delfshaven" not in that_day
    assert "Flat Rotterdam" not in shown(date_from=timezone.localdate().isoformat())
    assert "Kantoor" in shown(date_from="gisteren")  # a bad filter filters nothing


def test_the_export_is_the_filtered_list_without_formulas(chain):
    _make_asset(chain, '=HYPERLINK("http://evil.example","Klik")', actor=chain.owner_user)
    _make_asset(chain, "Kantoor Delfshaven", actor=chain.owner_user)
    r = signed_in(chain.matchmaker_user).get("/audit/", {"actor": "owner", "format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["timestamp", "actor", "action"]
    objects = [row[5] for row in rows[1:]]
    assert objects == ["Kantoor Delfshaven", '\'=HYPERLINK("http://evil.example","Klik")']
    assert all(row[1] == "owner" for row in rows[1:])
    # the changes cell starts with the field's name: only its start could be a formula
    assert rows[2][6].startswith("naam: — → =HYPERLINK(")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_export_is_refused_to_others(chain):
    assert signed_in(chain.owner_user).get("/audit/", {"format": "csv"}).status_code == 403


def _log_entries(chain, start: int, n: int) -> None:
    """n entries of three kinds: assets (linked), hub settings (linked), an organisation."""
    for i in range(start, start + n):
        kind = i % 3
        if kind == 0:
            _make_asset(chain, f"Pand {i}", actor=chain.owner_user)
        elif kind == 1:
            hub_settings_update(hub=chain.hub, actor=chain.hub_operator_user, max_dwell_days=10 + i)
        else:
            org = chain.buyer
            org.kvk_number = f"{i:08d}"
            org.save()


def test_the_page_costs_the_same_queries_for_10_or_50_entries(chain):
    """No query per entry: the actor and type come with the entries, links one per kind."""
    LogEntry.objects.all().delete()
    client = signed_in(chain.matchmaker_user)
    client.get("/audit/")  # content types cached, as in a running process

    def statements(n: int) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            r = client.get("/audit/")
        assert r.status_code == 200
        assert r.content.decode().split("<tbody>")[1].count("<tr>") == n
        return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]

    _log_entries(chain, 0, 10)
    with_10 = statements(10)
    _log_entries(chain, 10, 40)
    with_50 = statements(50)
    # session, user, organisations, roles, count, entries; links: assets, hubs; names of
    # related objects: organisations, municipalities
    assert len(with_50) == len(with_10) <= 11, "\n".join(with_50)


def test_the_menu_asks_whether_to_link_the_log(chain):
    """`may_view_audit_log` (audit.context_processors.audit) for base.html's menu."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from urbanmine.audit.context_processors import audit

    request = RequestFactory().get("/")
    for user, may in [
        (AnonymousUser(), False),
        (chain.owner_user, False),
        (chain.matchmaker_user, True),
    ]:
        request.user = user
        assert audit(request)["may_view_audit_log"]() is may
