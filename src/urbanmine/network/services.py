"""Every write of the network (issue #18): joining, the directory entry and its
certifications, covenants, signatures and commitments, regional targets, imported figures.

Each function checks permission and validity once for the web, the API and the command
line, runs in one transaction and raises ValidationError with a Dutch message naming the
field (nothing is half-saved)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.organisations.models import Organisation

from .indicators import INDICATORS, UNIT_LABELS, to_stored_unit
from .models import (
    AmbitionLevel,
    Certification,
    CertificationScheme,
    Commitment,
    Covenant,
    DirectoryEntry,
    EntryStatus,
    FigureImport,
    RegionalTarget,
    RegionFigure,
    Signature,
)
from .permissions import entry_may_change, network_is_facilitator, organisation_may_sign

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_VALUE = Decimal("99999999999")  # fits max_digits=14, decimal_places=3
PROFILE_FIELDS = (
    "description",
    "motivation",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def _facilitator_only(actor) -> None:
    if not network_is_facilitator(actor):
        raise PermissionDenied(_("Only the province (the network's facilitator) may do this."))


def _check_year(field: str, year) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {field: _("Enter a year between %(a)s and %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}}
        )
    return year


def _check_value(field: str, value) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not d.is_finite() or d < 0 or d > MAX_VALUE:
        raise ValidationError({field: _("Enter a number of at least 0.")})
    return d.quantize(Decimal("0.001"))


def _check_indicator(field: str, indicator: str, *, for_targets: bool = False) -> None:
    ind = INDICATORS.get(indicator)
    if ind is None or (for_targets and not ind.for_targets):
        raise ValidationError({field: _("Choose one of the indicators.")})


# --------------------------------------------------------------------------- directory
def entry_request_join(
    *, organisation: Organisation, actor, profile: dict | None = None
) -> DirectoryEntry:
    """The organisation asks to join the network: its entry waits for the province.

    A declined organisation may ask again; a member or a waiting request may not."""
    if not organisation_may_sign(actor, organisation.pk):
        raise PermissionDenied(_("You do not act for %(org)s.") % {"org": organisation})
    profile = {k: v for k, v in (profile or {}).items() if k in PROFILE_FIELDS}
    with transaction.atomic():
        entry = DirectoryEntry.objects.select_for_update().filter(organisation=organisation).first()
        if entry is not None and entry.status != EntryStatus.DECLINED:
            raise ValidationError(
                {
                    "organisation": _("%(org)s is already a member or has asked to join.")
                    % {"org": organisation}
                }
            )
        entry = entry or DirectoryEntry(organisation=organisation)
        for k, v in profile.items():
            setattr(entry, k, v)
        entry.status = EntryStatus.REQUESTED
        entry.requested_at, entry.requested_by = timezone.now(), actor
        entry.decided_at = entry.decided_by = None
        entry.full_clean()
        entry.save()
    return entry


def entry_decide(*, entry: DirectoryEntry, actor, approve: bool) -> DirectoryEntry:
    """The facilitator approves (the entry is published) or declines a request to join."""
    _facilitator_only(actor)
    with transaction.atomic():
        entry = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != EntryStatus.REQUESTED:
            raise ValidationError({"status": _("This request has already been decided.")})
        entry.status = EntryStatus.MEMBER if approve else EntryStatus.DECLINED
        entry.decided_at, entry.decided_by = timezone.now(), actor
        entry.save(update_fields=["status", "decided_at", "decided_by"])
    return entry


def entry_update(
    *,
    entry: DirectoryEntry,
    actor,
    profile: dict,
    municipalities_served: Iterable | None = None,
    product_groups: Iterable | None = None,
) -> DirectoryEntry:
    """The organisation edits its own entry (profile, municipalities, product groups)."""
    if not entry_may_change(actor, entry):
        raise PermissionDenied(_("Only the organisation itself edits its directory entry."))
    with transaction.atomic():
        entry = DirectoryEntry.objects.select_for_update().get(pk=entry.pk)
        for k, v in profile.items():
            if k in PROFILE_FIELDS:
                setattr(entry, k, v)
        entry.full_clean()
        entry.save()
        if municipalities_served is not None:
            entry.municipalities_served.set(list(municipalities_served))
        if product_groups is not None:
            entry.product_groups.set(list(product_groups))
    return entry


def certification_add(
    *,
    entry: DirectoryEntry,
    actor,
    scheme: CertificationScheme,
    number: str,
    valid_from,
    valid_until,
) -> Certification:
    """The organisation records a certificate it holds (a scheme of the steward's list)."""
    if not entry_may_change(actor, entry):
        raise PermissionDenied(_("Only the organisation itself edits its directory entry."))
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("Enter the certificate number.")})
    if valid_from is None:
        raise ValidationError({"valid_from": _("Enter the date the certificate is valid from.")})
    if valid_until is None:
        raise ValidationError({"valid_until": _("Enter the date the certificate is valid until.")})
    if valid_until < valid_from:
        raise ValidationError(
            {
                "valid_until": _("The end of validity lies before its start (%(d)s).")
                % {"d": valid_from}
            }
        )
    with transaction.atomic():
        if Certification.objects.filter(entry=entry, scheme=scheme, number=number).exists():
            raise ValidationError({"number": _("This certificate has already been recorded.")})
        return Certification.objects.create(
            entry=entry,
            scheme=scheme,
            number=number,
            valid_from=valid_from,
            valid_until=valid_until,
        )


def certification_remove(*, certification: Certification, actor) -> None:
    if not entry_may_change(actor, certification.entry):
        raise PermissionDenied(_("Only the organisation itself edits its directory entry."))
    certification.delete()


# --------------------------------------------------------------------------- covenant
def covenant_create(
    *, actor, title: str, text: str, start_year: int, end_year: int, ambition_level: str
) -> Covenant:
    """The facilitator records a covenant: its text, period and ambition level."""
    _facilitator_only(actor)
    _check_year("start_year", start_year)
    _check_year("end_year", end_year)
    if end_year < start_year:
        raise ValidationError(
            {"end_year": _("The last year lies before the first year (%(y)s).") % {"y": start_year}}
        )
    if ambition_level not in AmbitionLevel.values:
        raise ValidationError({"ambition_level": _("Choose one of the ambition levels.")})
    if not (title or "").strip():
        raise ValidationError({"title": _("Enter a title.")})
    if not (text or "").strip():
        raise ValidationError({"text": _("Enter the text of the covenant.")})
    with transaction.atomic():
        covenant = Covenant(
            title=title.strip(),
            text=text,
            start_year=start_year,
            end_year=end_year,
            ambition_level=ambition_level,
            created_at=timezone.now(),
            created_by=actor,
        )
        covenant.full_clean()
        covenant.save()
    return covenant


@dataclass(frozen=True)
class CommitmentInput:
    year: int
    indicator: str
    value: Decimal | int | float | str


def covenant_sign(
    *,
    covenant: Covenant,
    organisation: Organisation,
    actor,
    commitments: Sequence[CommitmentInput],
) -> Signature:
    """The organisation signs the covenant (once) with commitments per year, or adds
    commitments to its signature. Only a member of the network signs; every year lies in
    the covenant's period; all or nothing is stored."""
    if not organisation_may_sign(actor, organisation.pk):
        raise PermissionDenied(_("You do not act for %(org)s.") % {"org": organisation})
    if not DirectoryEntry.objects.filter(
        organisation=organisation, status=EntryStatus.MEMBER
    ).exists():
        raise ValidationError(
            {"organisation": _("Only members of the network sign the covenant; ask to join first.")}
        )
    if not commitments:
        raise ValidationError({"indicator": _("Sign with at least one commitment.")})
    checked = []
    for c in commitments:
        _check_year("year", c.year)
        if c.year not in covenant.years:
            raise ValidationError(
                {
                    "year": _(
                        "The year %(year)s lies outside the covenant's period %(start)s–%(end)s."
                    )
                    % {"year": c.year, "start": covenant.start_year, "end": covenant.end_year}
                }
            )
        _check_indicator("indicator", c.indicator)
        value = _check_value("value", c.value)
        if INDICATORS[c.indicator].unit == "%" and value > 100:
            raise ValidationError({"value": _("A share is at most 100 percent.")})
        checked.append((c.year, c.indicator, value))
    with transaction.atomic():
        signature, _created = Signature.objects.get_or_create(
            covenant=covenant,
            organisation=organisation,
            defaults={"signed_at": timezone.now(), "signed_by": actor},
        )
        for year, indicator, value in checked:
            Commitment.objects.update_or_create(
                signature=signature, year=year, indicator=indicator, defaults={"value": value}
            )
    return signature


# --------------------------------------------------------------------------- targets
def target_set(
    *, actor, indicator: str, year: int, value, unit: str, note: str = ""
) -> RegionalTarget:
    """The province sets (or changes) a circular target for the region and a year. The
    value needs its unit, which must fit the indicator (t or kt for masses, % for shares)."""
    _facilitator_only(actor)
    _check_indicator("indicator", indicator, for_targets=True)
    _check_year("year", year)
    entered = _check_value("value", value)
    if not unit:
        raise ValidationError({"unit": _("Enter the unit of the target value.")})
    stored = to_stored_unit(indicator, entered, unit)
    if stored is None:
        allowed = ", ".join(str(UNIT_LABELS[u]) for u in INDICATORS[indicator].units)
        raise ValidationError(
            {"unit": _("This indicator is measured in %(units)s.") % {"units": allowed}}
        )
    if INDICATORS[indicator].unit == "%" and stored > 100:
        raise ValidationError({"value": _("A share is at most 100 percent.")})
    if stored > MAX_VALUE:
        raise ValidationError({"value": _("Enter a number of at least 0.")})
    with transaction.atomic():
        target, _created = RegionalTarget.objects.update_or_create(
            indicator=indicator,
            year=year,
            defaults={
                "value": stored,
                "entered_value": entered,
                "entered_unit": unit,
                "note": (note or "")[:300],
                "created_at": timezone.now(),
                "created_by": actor,
            },
        )
    return target


# --------------------------------------------------------------------------- figures
#: The import format (docs/network-figures.md): a header row with these columns (Dutch
#: aliases accepted), comma or semicolon separated, decimal comma or point, UTF-8.
FIGURE_COLUMNS = {
    "region": ("region", "regio"),
    "indicator": ("indicator",),
    "year": ("year", "jaar"),
    "value": ("value", "waarde"),
    "unit": ("unit", "eenheid"),
}
MAX_FIGURE_ROWS = 5000
MAX_FIGURE_BYTES = 1_000_000


@dataclass
class FigureRowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(col)s: %(msg)s") % {
            "row": self.row,
            "col": self.column,
            "msg": self.message,
        }


class FigureImportError(ValueError):
    def __init__(self, errors: list[FigureRowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FigureImportError([FigureRowError(1, "-", _("The file is not readable text."))])


#: Dutch names of the indicators in an import file (the codes are accepted too)
INDICATOR_ALIASES = {
    "geoogst_t": "harvested_t",
    "toegepast_t": "applied_t",
    "aandeel_secundair_pct": "secondary_share_pct",
    "hubs_geopend": "hubs_opened",
}
UNIT_ALIASES = {"ton": "t", "procent": "%", "aantal": "hubs"}


def _figure_row(
    n: int, cell: dict[str, str]
) -> tuple[tuple[str, str, int, Decimal] | None, list[FigureRowError]]:
    """One row of an import file: (region, indicator, year, stored value) or its errors."""
    errors = []
    region = cell["region"][:120]
    indicator = INDICATOR_ALIASES.get(cell["indicator"].lower(), cell["indicator"].lower())
    unit = UNIT_ALIASES.get(cell["unit"].lower(), cell["unit"])
    if not region:
        errors.append(FigureRowError(n, "region", _("Enter the name of the region.")))
    if indicator not in INDICATORS:
        errors.append(FigureRowError(n, "indicator", _("Unknown indicator.")))
    year = value = None
    try:
        year = _check_year("year", int(cell["year"]))
    except (ValueError, ValidationError):
        errors.append(FigureRowError(n, "year", _("Enter a year between 2000 and 2100.")))
    try:
        value = _check_value("value", cell["value"].replace(" ", "").replace(",", "."))
    except ValidationError:
        errors.append(FigureRowError(n, "value", _("Enter a number of at least 0.")))
    if not unit:
        errors.append(FigureRowError(n, "unit", _("Enter the unit of the value.")))
    if errors or year is None or value is None:
        return None, errors
    stored = to_stored_unit(indicator, value, unit)
    if stored is None:
        allowed = ", ".join(str(UNIT_LABELS[u]) for u in INDICATORS[indicator].units)
        msg = _("This indicator is measured in %(units)s.") % {"units": allowed}
        return None, [FigureRowError(n, "unit", msg)]
    return (region, indicator, year, stored), []


def figures_parse(data: bytes) -> list[tuple[str, str, int, Decimal]]:
    """The rows of an import file as (region, indicator, year, value in the stored unit).
    Raises FigureImportError naming row, column and reason for every bad row."""
    if len(data) > MAX_FIGURE_BYTES:
        raise FigureImportError([FigureRowError(1, "-", _("The file is larger than 1 MB."))])
    text = _decode(data)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    index: dict[str, int] = {}
    errors: list[FigureRowError] = []
    for key, aliases in FIGURE_COLUMNS.items():
        found = [i for i, h in enumerate(header) if h in aliases]
        if found:
            index[key] = found[0]
        else:
            errors.append(FigureRowError(1, aliases[-1], _("This column is missing.")))
    if errors:
        raise FigureImportError(errors)
    rows: list[tuple[str, str, int, Decimal]] = []
    seen: set[tuple[str, str, int]] = set()
    for n, raw in enumerate(reader, start=2):
        if not any(c.strip() for c in raw):
            continue
        if n - 1 > MAX_FIGURE_ROWS:
            errors.append(FigureRowError(n, "-", _("At most 5000 rows per file.")))
            break
        cell = {k: (raw[i].strip() if i < len(raw) else "") for k, i in index.items()}
        row, row_errors = _figure_row(n, cell)
        for e in row_errors:  # the column as the file names it
            e.column = header[index[e.column]] if e.column in index else e.column
        errors += row_errors
        if row is None:
            continue
        if row[:3] in seen:
            errors.append(FigureRowError(n, "year", _("This figure appears twice in the file.")))
            continue
        seen.add(row[:3])
        rows.append(row)
    if errors:
        raise FigureImportError(errors)
    if not rows:
        raise FigureImportError([FigureRowError(2, "-", _("The file holds no figures."))])
    return rows


def figures_import(
    *, actor, data: bytes, source: str, filename: str = "", dry_run: bool = False
) -> FigureImport | None:
    """Load another region's published figures (the facilitator; all rows or none)."""
    _facilitator_only(actor)
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": _("Name the source of the figures (publisher, year).")})
    rows = figures_parse(data)
    if dry_run:
        return None
    with transaction.atomic():
        batch = FigureImport.objects.create(
            source=source[:300],
            filename=(filename or "")[:200],
            imported_at=timezone.now(),
            imported_by=actor if getattr(actor, "pk", None) else None,
            rows=len(rows),
        )
        RegionFigure.objects.bulk_create(
            RegionFigure(batch=batch, region=r, indicator=i, year=y, value=v) for r, i, y, v in rows
        )
    return batch
