"""Demo data of the network (issue #18): a directory entry with certifications for every demo
organisation, the covenant with commitments, the province's regional targets and one
(clearly synthetic) import of another region's figures. Reproducible: no randomness; dates
relative to the demo's `today`. Everything is marked `is_demo`.

Real, cited: the certification schemes (their owners' own descriptions) and the national
target behind the province's 2030 and 2050 targets (Rijksbreed programma Circulaire
Economie, 2016: 50 % less primary raw materials in 2030, a circular economy in 2050). The
covenant text paraphrases the source report, section 5 (Aanbevelingen vernieuwersnetwerk).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from urbanmine.catalogue.models import ProductGroup
from urbanmine.network.models import (
    AmbitionLevel,
    Certification,
    Commitment,
    Covenant,
    DirectoryEntry,
    EntryStatus,
    FigureImport,
    RegionalTarget,
    RegionFigure,
    Signature,
)
from urbanmine.network.schemes import certification_schemes_ensure
from urbanmine.organisations.models import Organisation
from urbanmine.regions.models import Municipality

#: organisation (demo username) -> (municipality, product groups handled, certifications as
#: (scheme code, number, valid from offset days, valid until offset days)); offsets from today
ENTRIES: dict[str, tuple[str, list[str], list[tuple[str, str, int, int]]]] = {
    "provincie": ("GM0518", [], [("iso-14001", "ISO14001-ZH-0042", -900, 400)]),
    "eigenaar": ("GM0599", ["roof-tiles-ceramic", "doors-interior", "window-frames-timber"], []),
    "inventariseerder": (
        "GM0503",
        ["bricks-clay", "steel-beams", "hollow-core-slabs"],
        [("vca", "VCA-2231-77", -500, 560)],
    ),
    "sloper": (
        "GM0599",
        ["bricks-clay", "steel-beams", "timber-beams", "hollow-core-slabs", "roof-tiles-ceramic"],
        [("brl-svms-007", "SVMS-007-10452", -700, 395), ("vca", "VCA-1987-12", -1100, -35)],
    ),
    "ontwerper": ("GM0546", ["timber-beams", "window-frames-timber", "glazing-double"], []),
    "bouwer": (
        "GM0599",
        ["bricks-clay", "paving-bricks", "doors-interior"],
        [("vca", "VCA-3310-04", -300, 795)],
    ),
    "omgevingsdienst": ("GM0518", [], [("iso-14001", "ISO14001-ODH-118", -200, 900)]),
    "handelaar": ("GM0637", ["doors-interior", "window-frames-timber", "roof-tiles-ceramic"], []),
    "verwerker": (
        "GM0505",
        ["concrete-granulate", "hollow-core-slabs", "bricks-clay"],
        [("komo", "KOMO-K98765", -400, 700), ("iso-14001", "ISO14001-NK-77", -1500, -400)],
    ),
    "certificeerder": (
        "GM0546",
        ["hollow-core-slabs", "steel-beams"],
        [("iso-14001", "ISO14001-KZ-9", -100, 1000)],
    ),
    "tussenbeheerder": ("GM0599", ["paving-bricks", "roof-tiles-ceramic"], []),
    "adviseur": ("GM0503", [], []),
}

COVENANT_TEXT = """Partijen in de Urban Mining-keten van Zuid-Holland spreken af om secundaire materialen en producten niet alleen te oogsten, maar vooral weer toe te passen (bron: Verkenning Urban Mining-keten Zuid-Holland, hoofdstuk 5, Aanbevelingen vernieuwersnetwerk: "Convenant Urban Mining met naast demontage nadruk op toepassing").

1. Ambitie. Partijen delen een gezamenlijke ambitie voor de komende drie tot vier jaar als stip op de horizon en verhogen die gaandeweg.
2. Bindende afspraken. Iedere ondertekenaar legt per jaar concrete toezeggingen vast: te oogsten tonnen, aandeel toegepast secundair materiaal, te openen hubs.
3. Monitoring. De voortgang wordt gemeten uit de levenscyclusgebeurtenissen in het register en gevolgd op het dashboard, met een meerjarenplanning en vergelijking met andere regio's.
4. Rol van de provincie. De provincie faciliteert (kennisuitwisseling, bemiddeling, experimenteerruimte) en geeft als opdrachtgever zelf het goede voorbeeld.

DEMO: deze tekst is een voorbeeld, geen vastgestelde overeenkomst."""

#: organisation -> [(year offset from the covenant's start, indicator, value)]
COMMITMENTS = {
    "sloper": [
        (0, "harvested_t", "150"),
        (1, "harvested_t", "5000"),
        (2, "harvested_t", "6000"),
        (1, "hubs_opened", "1"),
    ],
    "bouwer": [(0, "applied_t", "50"), (1, "applied_t", "800"), (2, "applied_t", "1200")],
    "eigenaar": [(1, "secondary_share_pct", "30"), (2, "secondary_share_pct", "40")],
    "verwerker": [(1, "hubs_opened", "1"), (2, "harvested_t", "150")],
    "provincie": [(1, "secondary_share_pct", "50")],
}

#: the province's targets: (indicator, year, entered value, unit, note)
TARGETS = [
    (
        "secondary_share_pct",
        2030,
        "50",
        "%",
        "50 % minder primaire grondstoffen in 2030 (Rijksbreed programma Circulaire Economie, 2016)",
    ),
    (
        "secondary_share_pct",
        2050,
        "100",
        "%",
        "Circulaire economie in 2050 (Rijksbreed programma Circulaire Economie, 2016)",
    ),
    ("harvested_t", 2030, "25", "kt", "DEMO: voorbeelddoel voor geoogst materiaal"),
    ("applied_t", 2030, "15", "kt", "DEMO: voorbeelddoel voor toegepast materiaal"),
    ("hubs_opened", 2027, "3", "hubs", "DEMO: voorbeelddoel voor nieuwe hubs"),
]


def make_network(orgs: dict[str, Organisation], *, today: date) -> int:
    """The network's demo records; returns the number of directory entries."""
    schemes = certification_schemes_ensure()
    groups = {g.code: g for g in ProductGroup.objects.all()}
    munis = {
        m.code: m for m in Municipality.objects.filter(code__in={e[0] for e in ENTRIES.values()})
    }
    now = timezone.now()
    province_user = orgs["provincie"].members.order_by("id").first()
    n = 0
    for username, (muni, group_codes, certs) in ENTRIES.items():
        org = orgs.get(username)
        if org is None:
            continue
        entry, created = DirectoryEntry.objects.get_or_create(
            organisation=org,
            defaults={
                "status": EntryStatus.MEMBER,
                "description": f"{org.name}: deelnemer aan het Urban Mining-netwerk Zuid-Holland (DEMO).",
                "contact_name": "Demo Contactpersoon",
                "contact_email": f"{username}@example.nl",
                "requested_at": now - timedelta(days=200),
                "decided_at": now - timedelta(days=190),
                "decided_by": province_user,
                "is_demo": True,
            },
        )
        n += 1
        if not created:
            continue
        if muni in munis:
            entry.municipalities_served.add(munis[muni])
        entry.product_groups.add(*[groups[c] for c in group_codes if c in groups])
        for scheme, number, start, end in certs:
            Certification.objects.create(
                entry=entry,
                scheme=schemes[scheme],
                number=number,
                valid_from=today + timedelta(days=start),
                valid_until=today + timedelta(days=end),
            )
    _make_covenant(orgs, today=today, actor=province_user)
    _make_targets(actor=province_user)
    _make_figures(actor=province_user)
    return n


def _make_covenant(orgs: dict[str, Organisation], *, today: date, actor) -> None:
    start = today.year - 1
    covenant, created = Covenant.objects.get_or_create(
        title=f"Convenant Urban Mining Zuid-Holland {start}–{start + 3} (demo)",
        defaults={
            "text": COVENANT_TEXT,
            "start_year": start,
            "end_year": start + 3,
            "ambition_level": AmbitionLevel.AMBITIOUS,
            "created_at": timezone.now(),
            "created_by": actor,
            "is_demo": True,
        },
    )
    if not created:
        return
    for username, lines in COMMITMENTS.items():
        sig = Signature.objects.create(
            covenant=covenant,
            organisation=orgs[username],
            signed_at=timezone.now(),
            is_demo=True,
        )
        Commitment.objects.bulk_create(
            Commitment(signature=sig, year=start + dy, indicator=ind, value=Decimal(v))
            for dy, ind, v in lines
        )


def _make_targets(*, actor) -> None:
    factors = {"t": 1, "kt": 1000, "%": 1, "hubs": 1}
    for indicator, year, value, unit, note in TARGETS:
        RegionalTarget.objects.get_or_create(
            indicator=indicator,
            year=year,
            defaults={
                "value": Decimal(value) * factors[unit],
                "entered_value": Decimal(value),
                "entered_unit": unit,
                "note": note,
                "created_at": timezone.now(),
                "created_by": actor,
                "is_demo": True,
            },
        )


def _make_figures(*, actor) -> None:
    """A synthetic region beside ours, so the comparison shows an imported row (DEMO)."""
    if FigureImport.objects.filter(is_demo=True).exists():
        return
    year = timezone.localdate().year
    batch = FigureImport.objects.create(
        source="DEMO: synthetische cijfers van een voorbeeldprovincie (geen echte publicatie)",
        filename="voorbeeldprovincie.csv",
        imported_at=timezone.now(),
        imported_by=actor,
        rows=8,
        is_demo=True,
    )
    rows = []
    for y, scale in ((year - 1, Decimal("0.8")), (year, Decimal(1))):
        for indicator, value in (
            ("harvested_t", Decimal(1800)),
            ("applied_t", Decimal(650)),
            ("secondary_share_pct", Decimal("1.2")),
            ("hubs_opened", Decimal(2)),
        ):
            rows.append(
                RegionFigure(
                    batch=batch,
                    region="Voorbeeldprovincie (DEMO)",
                    indicator=indicator,
                    year=y,
                    value=(value * scale).quantize(Decimal("0.001")),
                )
            )
    RegionFigure.objects.bulk_create(rows)
