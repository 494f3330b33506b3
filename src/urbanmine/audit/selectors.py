"""Reads of the audit log for the steward's page and its export, in a bounded number of
queries: the entries with their actor and type in one, then one per kind of object on the
page that has a page of its own (to link it)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField, ForeignKey, JSONField, Model, Q, QuerySet, TextField
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urbanmine.assets.models import Asset, PlannedIntervention, UseType
from urbanmine.core.formatting import format_number, format_percent
from urbanmine.hubs.models import Hub, ProcessingCapability
from urbanmine.insight.models import Scenario
from urbanmine.lots.models import Lot
from urbanmine.market.models import DemandRequest, Proposal


def action_labels() -> dict[int, str]:
    """The actions in the platform's words (auditlog's own labels are not translated)."""
    return {
        LogEntry.Action.CREATE: _("created"),
        LogEntry.Action.UPDATE: _("changed"),
        LogEntry.Action.DELETE: _("deleted"),
        LogEntry.Action.ACCESS: _("viewed"),
    }


def audit_entries(
    *,
    content_type_id: int | None = None,
    actor: str = "",
    action: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str = "",
) -> QuerySet[LogEntry]:
    """Entries newest first, filtered; dates are whole days in the site's time zone."""
    entries = LogEntry.objects.select_related("actor", "content_type")
    if content_type_id is not None:
        entries = entries.filter(content_type_id=content_type_id)
    if actor:
        entries = entries.filter(actor__username__iexact=actor)
    if action is not None:
        entries = entries.filter(action=action)
    if date_from is not None:
        entries = entries.filter(timestamp__gte=_day_start(date_from))
    if date_to is not None:
        entries = entries.filter(timestamp__lt=_day_start(date_to + timedelta(days=1)))
    if q:
        entries = entries.filter(Q(object_repr__icontains=q) | Q(object_pk=q))
    return entries.order_by("-timestamp", "-pk")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditRow:
    entry: LogEntry
    actor: str
    action: str
    object_type: str
    url: str = ""
    changes: list[Change] = field(default_factory=list)


def audit_rows(entries: Iterable[LogEntry], *, admin_links: bool = False) -> list[AuditRow]:
    """What the page and the export show of each entry: who, what, a link to the object when
    it has a page (the admin's for staff otherwise), and its field changes old → new, a
    related object by its name (one query per kind of related object on the page)."""
    entries = list(entries)
    urls = _object_urls(entries, admin_links=admin_links)
    labels = action_labels()
    raw = [(entry, _raw_changes(entry)) for entry in entries]
    names = _related_names(change for _entry, changes in raw for change in changes)
    rows = []
    for entry, changes in raw:
        model = entry.content_type.model_class()
        rows.append(
            AuditRow(
                entry=entry,
                actor=entry.actor.username if entry.actor_id else _("system"),
                action=labels.get(entry.action, str(entry.action)),
                object_type=str(model._meta.verbose_name) if model else entry.content_type.model,
                url=urls.get((entry.content_type_id, entry.object_pk), ""),
                changes=[c.shown(names) for c in changes],
            )
        )
    return rows


@dataclass
class _RawChange:
    label: str
    old: object
    new: object
    model_field: object = None
    many: bool = False  # a many-to-many change: `new` is "+ a, b" or "− a, b"

    def shown(self, names: dict[tuple[type[Model], str], str]) -> Change:
        if self.many:
            return Change(self.label, "", str(self.new))
        return Change(self.label, self._value(self.old, names), self._value(self.new, names))

    def _value(self, value, names: dict[tuple[type[Model], str], str]) -> str:
        if value is None or value == "None":
            return "—"
        text = str(value)
        model_field = self.model_field
        if isinstance(model_field, ForeignKey):
            return names.get((model_field.related_model, text), f"#{text}")
        if isinstance(model_field, BooleanField) and text in ("True", "False"):
            return _("yes") if text == "True" else _("no")
        if isinstance(model_field, JSONField):
            return json_value(model_field, text)
        choices = {str(k): str(v) for k, v in getattr(model_field, "flatchoices", None) or []}
        return choices.get(text, text)


#: words for the keys and list items of the JSON fields the log follows
JSON_WORDS = {
    "start_year": gettext_lazy("first year"),
    "end_year": gettext_lazy("last year"),
    "reuse_share": gettext_lazy("reuse potential"),
    "lifetimes": gettext_lazy("lifetimes"),
    "programme_m2": gettext_lazy("construction programme (m² per year)"),
    "shape": gettext_lazy("spread of the demolition age"),
    "scale_years": gettext_lazy("typical lifetime (years)"),
    **dict(ProcessingCapability.choices),
    **dict(UseType.choices),
}


def json_value(model_field, text: str) -> str:
    """A JSON field's value in words: list items and keys by their labels, numbers in the
    interface's format ("verwerkingsmogelijkheden: Sorteren, Reinigen")."""
    try:
        value = json.loads(text.replace("'", '"')) if isinstance(text, str) else text
    except ValueError:
        return text

    def words(v) -> str:
        if isinstance(v, dict):
            if not v:
                return "—"
            return "; ".join(
                f"{JSON_WORDS.get(k, k)}: "
                + (format_percent(x, 0) if k == "reuse_share" and x is not None else words(x))
                for k, x in v.items()
            )
        if isinstance(v, list):
            return ", ".join(words(x) for x in v) if v else "—"
        if isinstance(v, bool):
            return _("yes") if v else _("no")
        if isinstance(v, int | float):
            return format_number(v, 0 if float(v).is_integer() else 2)
        return str(JSON_WORDS.get(v, v))

    return words(value)


def _raw_changes(entry: LogEntry) -> list[_RawChange]:
    changes = entry.changes
    if not isinstance(changes, dict):
        return []
    model = entry.content_type.model_class()
    out = []
    for name, values in _in_field_order(model, changes):
        model_field = None
        if model is not None:
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                pass
        label = str(getattr(model_field, "verbose_name", name))
        if isinstance(model_field, ForeignKey) and label == name.replace("_", " "):
            label = str(model_field.related_model._meta.verbose_name)  # no own verbose name
        if isinstance(values, dict):  # a many-to-many change
            objects = ", ".join(str(o) for o in values.get("objects", []))
            sign = "+" if values.get("operation") == "add" else "−"
            out.append(_RawChange(label, None, f"{sign} {objects}", many=True))
            continue
        old, new = (list(values) + [None, None])[:2] if isinstance(values, list) else (None, values)
        out.append(_RawChange(label, old, new, model_field))
    return out


def _related_names(changes: Iterable[_RawChange]) -> dict[tuple[type[Model], str], str]:
    """The names of the related objects the changes point at, one query per model."""
    wanted: dict[type[Model], set[int]] = defaultdict(set)
    for change in changes:
        if isinstance(change.model_field, ForeignKey):
            for value in (change.old, change.new):
                if isinstance(value, str) and value.isascii() and value.isdigit():
                    wanted[change.model_field.related_model].add(int(value))
    names = {}
    for model, ids in wanted.items():
        bulky = [
            f.name for f in model._meta.concrete_fields if isinstance(f, JSONField | TextField)
        ]
        for obj in model._base_manager.filter(pk__in=ids).defer(*bulky):  # not boundaries
            names[(model, str(obj.pk))] = str(obj)
    return names


def _in_field_order(model, changes: dict) -> list[tuple[str, object]]:
    """As the model declares its fields (PostgreSQL's JSON keeps its own key order)."""
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())} if model else {}
    return sorted(changes.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


#: objects with a page of their own: model → (URL name, how the URL's argument is found)
_DIRECT = {
    Asset: "asset-passport",
    Hub: "hub-detail",
    DemandRequest: "demand-detail",
    Scenario: "scenario-edit",
}


def _object_urls(entries: list[LogEntry], *, admin_links: bool) -> dict[tuple[int, str], str]:
    """One query per kind of object on the page: only objects that still exist are linked."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.object_id is not None:
            wanted[entry.content_type_id].add(entry.object_id)
    urls: dict[tuple[int, str], str] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        for pk, url in _urls_for(model, ids, admin_links=admin_links):
            urls[(type_id, str(pk))] = url
    return urls


def _urls_for(model, ids: set[int], *, admin_links: bool) -> Iterable[tuple[int, str]]:
    if model in _DIRECT:
        name = _DIRECT[model]
        for pk in model.objects.filter(pk__in=ids).values_list("pk", flat=True):
            yield pk, reverse(name, args=[pk])
    elif model is Lot:
        for pk, code in Lot.objects.filter(pk__in=ids).values_list("pk", "code"):
            yield pk, reverse("lot-detail", args=[code])
    elif model is PlannedIntervention:
        for pk, asset_id in model.objects.filter(pk__in=ids).values_list("pk", "asset_id"):
            yield pk, reverse("asset-passport", args=[asset_id])
    elif model is Proposal:
        for pk, demand_id in model.objects.filter(pk__in=ids).values_list("pk", "demand_id"):
            yield pk, reverse("demand-detail", args=[demand_id])
    elif admin_links and model is not None:
        from django.contrib import admin

        if admin.site.is_registered(model):
            meta = model._meta
            for pk in model.objects.filter(pk__in=ids).values_list("pk", flat=True):
                yield pk, reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk])
