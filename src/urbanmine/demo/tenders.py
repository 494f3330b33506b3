"""Demo data of the ambition and tender tool (issue #17): a municipality, a clause library
of 22 clauses grounded in the exploration report and public guidance (each citing its
source), area and project ambitions, a demolition tender with three bids, awarded, whose
commitments are partly realised by the lots' own lifecycle events. Written through the
services (the same validation as the web and the API); every record marked demo."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from urbanmine.assets.models import Asset
from urbanmine.catalogue.models import ProductGroup
from urbanmine.lots.lifecycle import Status
from urbanmine.organisations.models import ChainRole, Organisation, OrganisationRole
from urbanmine.regions.models import Municipality
from urbanmine.tenders import services
from urbanmine.tenders.models import Clause

R = "Verkenning Urban Mining Zuid-Holland (provincie Zuid-Holland, 2025)"
KANSEN = f"{R}, H4 Handelingsperspectieven, Kansen: aanbesteding & inkoop (p. 28)"
AGENDA_TOOL = f"{R}, H4 Agenda, Middel: Ambitie- en uitvraagtool voor hoogwaardig hergebruik"
AGENDA_HANDREIKING = (
    f"{R}, H4 Agenda, Middel: Handreiking implementatie toepassing secundair materiaal"
)
AGENDA_UITVRAAG = (
    f"{R}, H4 Kansen, Handelingsperspectieven: Uitvraag en aanbestedingen concretiseren"
)
KNELPUNTEN = (
    f"{R}, H3 Status quo, Behoeften & knelpunten: aanbesteding (voorbeeldteksten gunningcriteria)"
)

#: (code, title, kind, phase, text, source, product group codes)
CLAUSES: list[tuple[str, str, str, str, str, str, list[str]]] = [
    (
        "hergebruik-tenzij",
        "Hergebruik, tenzij",
        "requirement",
        "demolition",
        "Vrijkomende producten worden hoogwaardig hergebruikt (R3 of hoger), tenzij de opdrachtnemer "
        "per productgroep aantoont dat dit technisch, veiligheidskundig of financieel niet redelijk "
        "is. De onderbouwing noemt de reden (gevaarlijke stoffen, kwaliteit, geen afzet binnen de "
        "doorverkooptijd) en wordt vóór de sloop door de opdrachtgever beoordeeld.",
        AGENDA_UITVRAAG,
        [],
    ),
    (
        "minimaal-oogstpercentage",
        "Minimaal oogstpercentage",
        "requirement",
        "demolition",
        "De opdrachtnemer oogst ten minste het in de uitvraag genoemde percentage van de massa van "
        "het materiaalpaspoort voor hergebruik. Het percentage wordt gemeten aan de op het platform "
        "geregistreerde kavels met een demontagestap.",
        KANSEN,
        [],
    ),
    (
        "maximale-doorverkooptijd",
        "Maximale doorverkooptijd",
        "requirement",
        "demolition",
        "Geoogste kavels worden binnen de in de uitvraag genoemde termijn na demontage verkocht of "
        "toegepast; langere opslag in een hub vraagt vooraf instemming van de opdrachtgever.",
        KANSEN,
        [],
    ),
    (
        "hergebruikplan",
        "Hergebruikplan in plaats van vaste prijs",
        "award",
        "demolition",
        "De inschrijver levert een hergebruikplan: per productgroep de oogstmethode, de verwachte "
        "kwaliteit, de afnemers of hubs en de planning. Het plan wordt beoordeeld op "
        "haalbaarheid en hoogwaardigheid (R-ladder) en telt als kwaliteitscriterium.",
        KANSEN,
        [],
    ),
    (
        "fictieve-korting-per-ton",
        "Fictieve korting per ton in gebruik gehouden",
        "award",
        "",
        "Voor elke ton die de inschrijver toezegt te oogsten (sloop) of secundair toe te passen "
        "(nieuwbouw) wordt een fictieve korting van de inschrijfprijs afgetrokken. De laagste "
        "beoordelingsprijs wint (beste prijs-kwaliteitverhouding); de opdrachtgever betaalt de "
        "geboden prijs.",
        f"{KANSEN}; PIANOo, Gunnen op beste prijs-kwaliteitverhouding (BPKV), Aanbestedingswet 2012 art. 2.114",
        [],
    ),
    (
        "registratie-kavels",
        "Registratie van alle kavels op het platform",
        "requirement",
        "",
        "Alle vrijkomende en toegepaste kavels worden met hun processtappen (demontage, keuring, "
        "verkoop, toepassing) op het Urban Mining-platform geregistreerd, zodat realisatie van de "
        "toezeggingen meetbaar is.",
        AGENDA_TOOL,
        [],
    ),
    (
        "inventarisatie-vooraf",
        "Inventarisatie vóór de sloop",
        "requirement",
        "demolition",
        "Vóór de gunning ligt een materiaalinventarisatie (paspoort) van het gebouw; de opdrachtnemer "
        "actualiseert deze bij de start en registreert afwijkingen.",
        f"{R}, H4 Kansen: inventarisaties vroeg in het proces; Platform CB'23, Leidraad Paspoorten voor de bouw (2022)",
        [],
    ),
    (
        "asbest-inventarisatie",
        "Asbestinventarisatie bij bouwjaar vóór 1994",
        "requirement",
        "demolition",
        "Bij gebouwen van vóór 1994 gaat een asbestinventarisatie (type A, zo nodig B) aan de "
        "oogst vooraf. Asbesthoudende producten worden nooit aangeboden voor hergebruik.",
        f"{AGENDA_TOOL} (chroom-6 en asbest); Besluit bouwwerken leefomgeving, afdeling 7.2 (asbest)",
        [],
    ),
    (
        "chroom6-staal",
        "Chroom-6 in verf op staal",
        "requirement",
        "demolition",
        "Geverfd staal uit bouwwerken van vóór 1995 wordt op chroom-6 onderzocht voordat het wordt "
        "geoogst. Bij aanwezigheid wordt het alleen onder beheersmaatregelen gestraald of niet "
        "hergebruikt.",
        f"{AGENDA_TOOL}; RIVM, Chroom-6 in verf (2018-2020)",
        ["steel-beams", "steel-columns"],
    ),
    (
        "dakpannen-hergebruik",
        "Dakpannen hergebruiken",
        "requirement",
        "demolition",
        "Keramische en betonnen dakpannen worden handmatig gedemonteerd, gesorteerd en op pallets "
        "aangeboden; breuk boven 10% wordt gemotiveerd.",
        f"{AGENDA_UITVRAAG} (marktpartijen: eenvoudige productgroepen zoals dakpannen)",
        ["roof-tiles-ceramic", "roof-tiles-concrete"],
    ),
    (
        "kanaalplaten-oogsten",
        "Kanaalplaten oogsten",
        "requirement",
        "demolition",
        "Kanaalplaatvloeren worden waar constructief mogelijk in hun geheel gezaagd en gehesen; de "
        "opdrachtnemer levert per plaat afmetingen en belastingklasse aan.",
        f"{AGENDA_UITVRAAG} (overheden: complexe, impactvolle materialen)",
        ["hollow-core-slabs"],
    ),
    (
        "staalprofielen-oogsten",
        "Stalen profielen demontabel oogsten",
        "requirement",
        "demolition",
        "Stalen liggers en kolommen worden bij de verbindingen losgemaakt in plaats van gebrand; "
        "profielen worden gemerkt met profieltype en lengte.",
        KANSEN,
        ["steel-beams", "steel-columns"],
    ),
    (
        "functioneel-gevel",
        "Functionele eis gevelsteen",
        "functional",
        "new_build",
        "De gevel voldoet aan de functionele eisen (draagvermogen, vorstbestendigheid, uitstraling "
        "binnen een bandbreedte van kleur); een specifiek merk of type steen wordt niet "
        "voorgeschreven, zodat gebruikte stenen kunnen worden toegepast.",
        f"{KNELPUNTEN}: functionele in plaats van productspecificaties",
        ["bricks-clay"],
    ),
    (
        "functioneel-binnendeuren",
        "Functionele eis binnendeuren",
        "functional",
        "new_build",
        "Binnendeuren voldoen aan maat-, brand- en geluidseisen; tweedehands deuren met "
        "aantoonbare prestaties zijn gelijkwaardig aan nieuwe.",
        f"{KNELPUNTEN}: functionele specificaties",
        ["doors-interior"],
    ),
    (
        "secundair-aandeel",
        "Minimaal aandeel secundaire materialen",
        "requirement",
        "new_build",
        "Ten minste het in de uitvraag genoemde percentage van de massa van de toegepaste materialen "
        "is secundair (hergebruikt of gerecycled), aangetoond met de kavels op het platform.",
        f"{AGENDA_HANDREIKING}; {AGENDA_UITVRAAG}",
        [],
    ),
    (
        "losmaakbaarheid",
        "Losmaakbaar ontwerp",
        "requirement",
        "new_build",
        "Het ontwerp haalt ten minste de in de uitvraag genoemde losmaakbaarheidsscore; "
        "verbindingen zijn droog en bereikbaar, lagen (drager, schil, installaties, inbouw) "
        "zijn onafhankelijk vervangbaar.",
        f"{AGENDA_HANDREIKING} (losmaakbaarheid voor de toekomst); Platform CB'23, Meten van circulariteit (2021)",
        [],
    ),
    (
        "r-ladder-rapportage",
        "Rapportage op de R-ladder",
        "requirement",
        "",
        "De opdrachtnemer rapporteert per productgroep de massa per trede van de R-ladder (R0-R9); "
        "gescheiden afvoer (R8) telt niet als hoogwaardig hergebruik.",
        f"{AGENDA_TOOL} (meet de impact aan de R-ladder); PBL, Circulaire economie: wat we willen weten en kunnen meten (2016)",
        [],
    ),
    (
        "mki-gunning",
        "Milieukosten (MKI) als gunningscriterium",
        "award",
        "new_build",
        "De milieukostenindicator (MKI) van het ontwerp, berekend met de Nationale Milieudatabase, "
        "wordt als fictieve korting meegewogen; hergebruikte producten tellen met hun werkelijke "
        "(lagere) milieulast.",
        "Rijkswaterstaat, DuboCalc en MKI in aanbestedingen; Stichting NMD, Bepalingsmethode Milieuprestatie Bouwwerken",
        [],
    ),
    (
        "hub-afstemming",
        "Tussenopslag in een bouwhub",
        "requirement",
        "demolition",
        "Kavels die niet direct worden toegepast gaan naar een hub die de opdrachtgever kent; de "
        "opslagtijd en de route worden op het platform vastgelegd.",
        f"{R}, H2 Locatie: bouwhubs; H4 Kansen: verkorting opslagtijd door vroegtijdige afstemming",
        [],
    ),
    (
        "keuring-hergebruik",
        "Keuring volgens beoordelingsrichtlijn",
        "requirement",
        "",
        "Constructieve producten (staal, kanaalplaten, hout) worden vóór toepassing gekeurd volgens "
        "de voor de productgroep geldende beoordelingsrichtlijn; het certificaat hoort bij de kavel.",
        f"{R}, H3 Behoeften & knelpunten: kwaliteitscontrole & garanties",
        ["steel-beams", "hollow-core-slabs", "timber-beams"],
    ),
    (
        "veilig-slopen",
        "Veilig en milieukundig slopen",
        "requirement",
        "demolition",
        "De sloper werkt volgens BRL SVMS-007 en scheidt stromen aan de bron; wat niet wordt "
        "hergebruikt wordt zo hoog mogelijk op de R-ladder verwerkt.",
        "BRL SVMS-007 Veilig en milieukundig slopen; LAP3, sectorplan bouw- en sloopafval",
        [],
    ),
    (
        "granulaat-beton",
        "Betongranulaat in nieuw beton",
        "requirement",
        "new_build",
        "Beton in niet-constructieve en waar toegestaan constructieve toepassingen bevat "
        "betongranulaat uit de regio; de leverancier toont herkomst en kwaliteit aan.",
        f"{AGENDA_UITVRAAG} (circulair beton); Betonakkoord (2018); BRL 2506 gerecyclede granulaten",
        ["concrete-granulate"],
    ),
]


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _municipality_org(orgs: dict[str, Organisation]) -> Organisation:
    """A municipality: asset owner and permit authority for Rotterdam (a demo account)."""
    from .generator import _ensure_users

    rotterdam = Municipality.objects.get(code="GM0599")
    org, _ = Organisation.objects.get_or_create(
        name="Gemeente Rotterdam (demo)", defaults={"is_demo": True, "municipality": rotterdam}
    )
    for role in (ChainRole.ASSET_OWNER, ChainRole.PERMIT_AUTHORITY):
        OrganisationRole.objects.get_or_create(organisation=org, role=role)
    _ensure_users({"gemeente": org}, steward_password=None)
    return org


def _demolition_asset(owner: Organisation) -> Asset | None:
    """An owner's building with lots of which some are harvested and some not yet: the
    realisation is partial. The lowest id, so the same seed picks the same building."""
    return (
        Asset.objects.filter(owner=owner, is_demo=True, scope="bu")
        .annotate(
            waiting=Count(
                "lots", filter=Q(lots__status__in=[Status.IDENTIFIED, Status.INVENTORIED])
            ),
            done=Count("lots", filter=~Q(lots__status__in=[Status.IDENTIFIED, Status.INVENTORIED])),
        )
        .filter(waiting__gt=0, done__gt=0)
        .order_by("pk")
        .first()
    )


def make_tender_demo(*, orgs: dict[str, Organisation], today: date) -> dict[str, int]:
    """Clauses, ambitions, a tender with three bids, awarded. Returns counts."""
    province = _user("provincie")
    corporation = _user("eigenaar")
    _municipality_org(orgs)
    groups = {g.code: g for g in ProductGroup.objects.all()}
    clauses = {}
    for code, title, kind, phase, text, source, codes in CLAUSES:
        existing = Clause.objects.filter(code=code).order_by("-version").first()
        clauses[code] = existing or services.clause_create(
            actor=province,
            code=code,
            title=title,
            kind=kind,
            phase=phase,
            text=text,
            source=source,
            product_groups=[groups[c] for c in codes if c in groups],
            is_demo=True,
        )
    asset = _demolition_asset(orgs["eigenaar"])
    area_munis = list(
        Municipality.objects.filter(code__in=["GM0599", "GM0518", "GM0503", "GM0546"])
    )
    if asset is not None and asset.municipality not in area_munis:
        area_munis.append(asset.municipality)
    year = today.year + 1
    area = services.ambition_create(
        actor=province,
        name=f"Zuid-Holland circulair slopen {year}",
        level="area",
        phase="demolition",
        year=year,
        municipalities=area_munis,
        harvest_pct=25,
        min_r_level="R5",
        co2_reduction_pct=20,
        group_targets={"roof-tiles-ceramic": 60, "steel-beams": 40},
        is_demo=True,
    )
    services.ambition_create(
        actor=province,
        name=f"Zuid-Holland circulair bouwen {year}",
        level="area",
        phase="new_build",
        year=year,
        municipalities=area_munis,
        secondary_pct=20,
        detachability_score=3.5,
        co2_reduction_pct=30,
        is_demo=True,
    )
    services.ambition_create(
        actor=_user("gemeente"),
        name=f"Rotterdam: sloop met hergebruik {year}",
        level="area",
        phase="demolition",
        year=year,
        municipalities=[Municipality.objects.get(code="GM0599")],
        harvest_pct=30,
        min_r_level="R3",
        is_demo=True,
    )
    counts = {"clauses": len(clauses), "ambitions": 3, "tenders": 0, "bids": 0}
    if asset is None:
        return counts
    project = services.ambition_create(
        actor=corporation,
        name=f"{asset.name}: sloop",
        level="project",
        phase="demolition",
        year=year,
        asset=asset,
        parent=area,
        harvest_pct=35,
        min_r_level="R3",
        co2_reduction_pct=25,
        group_targets={"roof-tiles-ceramic": 70, "steel-beams": 50},
        is_demo=True,
    )
    tender = services.tender_create(
        actor=corporation,
        asset=asset,
        title=f"Circulaire sloop {asset.name}",
        phase="demolition",
        ambition=project,
        is_demo=True,
    )
    services.tender_set_criteria(
        actor=corporation,
        tender=tender,
        min_harvest_pct=35,
        max_resale_days=180,
        discount_eur_per_t=150,
        eur_per_quality_point=1000,
    )
    for code in (
        "hergebruik-tenzij",
        "minimaal-oogstpercentage",
        "maximale-doorverkooptijd",
        "hergebruikplan",
        "fictieve-korting-per-ton",
        "registratie-kavels",
        "asbest-inventarisatie",
        "r-ladder-rapportage",
    ):
        services.tender_add_clause(actor=corporation, tender=tender, clause=clauses[code])
    mass_t = float(tender.mass_basis_t)
    base = max(round(mass_t * 40, -3), 20_000)  # a plausible demolition price (€40/t)
    bids = []
    for bidder, factor, harvest, r_level, score in [
        ("Sloopbedrijf Snel & Schoon (demo)", 1.00, 36, "R8", 4),
        ("Sloopbedrijf De Oogst (demo)", 1.12, 60, "R3", 8),
        ("Demontage Zuid (demo)", 1.06, 45, "R5", 6),
    ]:
        bids.append(
            services.bid_create(
                actor=corporation,
                tender=tender,
                bidder=bidder,
                price_eur=round(base * factor, 0),
                harvest_pct=harvest,
                r_level=r_level,
                resale_by=today + timedelta(days=150),
                reuse_plan_score=score,
                today=today,
                is_demo=True,
            )
        )
    services.tender_award(actor=corporation, tender=tender, bid=bids[1], is_demo=True)
    counts.update(ambitions=4, tenders=1, bids=len(bids))
    return counts
