"""Demo data of the knowledge base (issue #18): cases, guidelines, news and events, step
plans for ten product groups, the agenda of regulatory barriers grounded in the source
report (each citing its section), and one monitored example project with its report.

Everything goes through the knowledge services (the same rules as the pages) and is marked
`is_demo`. The texts are synthetic unless they cite the report; step-plan times and costs
are labelled estimates."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from urbanmine.catalogue.models import ProductGroup
from urbanmine.knowledge import services
from urbanmine.knowledge.models import Barrier, ExampleProject, KnowledgeItem, StepPlan
from urbanmine.organisations.models import Organisation

REPORT = "Verkenning Urban Mining-keten Zuid-Holland (Arcadis i.o.v. provincie Zuid-Holland)"
SECTION_3_RULES = f"{REPORT}, hfst. 3 Status quo — Knelpunten & behoeften: Wet- en regelgeving"
SECTION_3_FINANCE = f"{REPORT}, hfst. 3 Status quo — Knelpunten & behoeften: Financiën"
SECTION_3_QUALITY = (
    f"{REPORT}, hfst. 3 Status quo — Knelpunten & behoeften: Kwaliteitscontrole & garanties"
)
SECTION_3_LOGISTICS = f"{REPORT}, hfst. 3 Status quo — Knelpunten & behoeften: Logistiek"
SECTION_4_CHANCES = f"{REPORT}, hfst. 4 Handelingsperspectieven — Kansen"
SECTION_4_NEXT = f"{REPORT}, hfst. 4 Handelingsperspectieven — Vervolgstappen"
SECTION_5_AGENDA = f"{REPORT}, hfst. 5 Aanbevelingen vernieuwersnetwerk — Agenda"
CIRCULAW = "Circulaw | https://www.circulaw.nl/"

# title, theme, product group (None: all), description, evidence, proposal, status, source
BARRIERS = [
    ("Afvalregels zijn ingericht op snelle afvoer", "waste_law", None,
     "Regelgeving omtrent afval is ingericht op het zo snel mogelijk afvoeren van materiaal- en productstromen in plaats van het opnieuw toepassen ervan.",
     "Genoemd door respondenten uit de hele keten.", "Focus verschuiven van snelle afvoer naar behoud van materialen, ondersteund door strengere handhaving.", "raised", SECTION_3_RULES),
    ("Bouwbesluit sluit hergebruikte producten uit", "building_regulations", "doors-interior",
     "Bepaalde producten mogen niet opnieuw worden toegepast omdat ze niet voldoen aan de eisen van het Bouwbesluit (bijv. lagere deuren).",
     "Voorbeeld uit de interviews: oude binnendeuren voldoen niet aan de huidige minimale doorgangshoogte.", "Flexibelere regels, zoals uitzonderingen voor specifieke toepassingen (lagere deuren) en selectieve keuringen van batches.", "identified", SECTION_4_NEXT),
    ("Kanaalplaatvloeren vragen extra verdiepingshoogte", "image_quality_plans", "hollow-core-slabs",
     "In bestemmings- en beeldkwaliteitsplannen wordt onvoldoende rekening gehouden met secundaire bouwdetails, zoals extra verdiepingshoogtes voor kanaalplaatvloeren.",
     "Respondenten noemen dit voorbeeld expliciet.", "Circulaire beeldkwaliteits- en bestemmingsplannen die secundair materiaal stimuleren.", "identified", SECTION_3_RULES),
    ("Omgevingsplannen missen flexibiliteit voor secundair materiaal", "environment_plans", None,
     "Omgevingsplannen geven weinig ruimte voor afwijkende maten en uitstraling van secundaire producten.",
     "Behoefte genoemd: flexibiliteit in omgevingsplannen.", "Stimulerende in plaats van belemmerende randvoorwaarden bij gebieds- en gebouwontwikkeling.", "raised", SECTION_3_RULES),
    ("Welstand beoordeelt op uitstraling van nieuw", "image_quality_plans", "bricks-clay",
     "Esthetische kaders zijn te beperkend, waardoor hergebruikte gevelstenen niet kunnen worden toegepast.",
     "Secundaire producten passen vaak niet in scherpe contracteisen; esthetische kaders te beperkend.", "Beeldkwaliteitsplannen die hergebruikt metselwerk expliciet toestaan.", "identified", SECTION_3_RULES),
    ("Stortbelasting te laag om scheiding te belonen", "taxes", None,
     "Storten en verbranden van bouw- en sloopafval blijft goedkoop ten opzichte van scheiden en hergebruiken.",
     "Kans genoemd: verhoogde stortbelasting zodat scheiding en hergebruik gestimuleerd worden.", "Kostenverhoging bouw- en sloopafval via hogere stortbelasting.", "raised", SECTION_4_CHANCES),
    ("Geen CO2-beprijzing van primaire grondstoffen", "taxes", "steel-beams",
     "Primaire grondstoffen zijn relatief goedkoop; de milieuwinst van hergebruik telt niet mee in de prijs.",
     "Kans genoemd: CO2-taks die primaire grondstoffen duurder maakt.", "CO2-beprijzing en een CO2-budget voor bouwopgaven nationaal agenderen.", "in_progress", SECTION_4_NEXT),
    ("Belasting op arbeid drukt op demontage", "taxes", None,
     "Hergebruik vraagt meer arbeid dan nieuw materiaal; arbeid is zwaar belast, grondstoffen niet.",
     "Kosten door het hogere aandeel arbeid zijn dikwijls hoger dan bij nieuwe materialen.", "Belastingverschuiving van arbeid naar grondstoffen, of van hergebruikte naar nieuwe materialen.", "identified", SECTION_4_NEXT),
    ("Recyclen loont meer dan direct hergebruik van staal", "waste_law", "steel-beams",
     "De opbrengst uit materiaalrecycling is voor slopers vaak hoger dan bij aanbieden voor direct hergebruik.",
     "Voorbeeld staal uit de interviews.", "Inzicht in de financiële impact van hergebruik per productgroep; betere verdeling van kosten in de keten.", "identified", SECTION_3_FINANCE),
    ("Certificering per batch te duur voor kleine partijen", "building_regulations", "hollow-core-slabs",
     "De kosten voor certificering of keuring drukken zwaar op de prijs bij kleinere partijen.",
     "Kosten voor certificering of keuring zijn hoog.", "Eenvoudigere testmogelijkheden: minder te beoordelen batches, testen op relevantie.", "in_progress", SECTION_3_QUALITY),
    ("Nauwelijks normen voor demontage en hergebruik", "building_regulations", "glazing-double",
     "Voor demonteren en hergebruiken zijn nog nauwelijks richtlijnen of normen opgesteld.",
     "Hoge kwaliteitseisen, weinig beoordelingsrichtlijnen voor secundaire producten.", "Beoordelingsrichtlijnen per productgroep; praktische handvatten zoals een NTA.", "raised", SECTION_3_QUALITY),
    ("Bestaande certificaten tellen niet mee", "building_regulations", None,
     "Bestaande certificeringen zoals BRL SVMS-007 (veilig en milieubewust slopen) worden niet benut als bewijs.",
     "Kans genoemd: gebruik van bestaande certificeringen.", "BRL SVMS-007 laten meetellen in vergunning en uitvraag.", "identified", SECTION_4_CHANCES),
    ("Afvalregels verschillen per regio", "waste_law", "concrete-granulate",
     "Regelgeving voor afvalverwerking en recycling verschilt per regio en bemoeilijkt grensoverschrijdende stromen.",
     "Genoemd onder wet- en regelgeving.", "Regionale afspraken afstemmen en provinciaal concreter uitwerken.", "identified", SECTION_3_RULES),
    ("Geen ruimte voor tijdelijke opslag in omgevingsplannen", "environment_plans", None,
     "Er is te weinig ruimte voor oogsten en opslag, op bouwhubs en op de bouwplaats.",
     "Genoemd onder logistiek; ruimte in Zuid-Holland is duur.", "Regionale ruimte voor opslaghubs in kaart brengen met gemeenten en corporaties.", "raised", SECTION_3_LOGISTICS),
    ("Aanbestedingsregels sturen op prijs, niet op hergebruik", "environment_plans", "window-frames-timber",
     "Aanbestedingseisen zijn niet toegespitst op hergebruikte producten; prijs weegt zwaarder.",
     "Prijs weegt meestal zwaarder dan het percentage toegepast secundair materiaal.", "Voorbeeldteksten voor gunningscriteria; functionele in plaats van productspecificaties.", "solved", SECTION_5_AGENDA),
    ("Wet circulaire economie nog niet vastgesteld", "waste_law", None,
     "De opvolger van de Wet milieubeheer voor circulaire economie is nog in voorbereiding.",
     "Aanbeveling: invloed uitoefenen op de wet circulaire economie.", "Gevolgen van aanpassingen en uitstel inzichtelijk maken richting het Rijk.", "in_progress", SECTION_4_NEXT),
]  # fmt: skip

# code, market, known buyers, assessment guideline
PLANS = [
    ("roof-tiles-ceramic", "Renovatie woningbouw", "Dakdekkers, sloophandels", "Visuele keuring en vorstbestendigheid (NEN-EN 1304); partijen per kleur en model."),
    ("bricks-clay", "Gevels nieuwbouw", "Steenhandels, aannemers woningbouw", "Gereinigde stenen volgens NEN-EN 771-1; mortelresten < 5%."),
    ("paving-bricks", "Herbestrating openbare ruimte", "Gemeenten, hoveniers", "Maatvastheid en breuk per partij; NEN-EN 1344."),
    ("steel-beams", "Utiliteitsbouw", "Staalbouwers, constructeurs", "Sterkteklasse vaststellen (proefstukken), NTA 8713-aanpak."),
    ("timber-beams", "Interieur en kleine constructies", "Houthandels, interieurbouwers", "Sterkteklasse visueel (NEN 5499), vochtgehalte, spijkervrij."),
    ("hollow-core-slabs", "Vloeren utiliteitsbouw", "Aannemers, prefab-leveranciers", "Constructieve beoordeling per batch, wapening en oplegging."),
    ("window-frames-timber", "Renovatie en tiny houses", "Kozijnfabrikanten, kringloop", "Houtrot, maatvoering, isolatiewaarde na reparatie."),
    ("doors-interior", "Woningrenovatie", "Bouwmaterialenhandels, corporaties", "Maat, brandwerendheid (indien vereist), hang- en sluitwerk."),
    ("glazing-double", "Kassen en binnenwanden", "Glasbewerkers, tuinders", "Randverbinding, condens, U-waarde; herbeoordeling per batch."),
    ("concrete-granulate", "Funderingen en wegen", "Wegenbouwers, betoncentrales", "BRL 2506 (recyclinggranulaten), milieuhygiënische verklaring."),
]  # fmt: skip

STEP_TEMPLATES = {
    "easy": [("Demonteren", "demolisher", 2, 150, "0.10"), ("Sorteren en reinigen", "processor", 3, 0, "0.15"), ("Opslag en transport", "storage_manager", 5, 250, "0.05"), ("Verkoop", "trader", 7, 0, "0.05")],
    "moderate": [("Demonteren", "demolisher", 4, 300, "0.40"), ("Reinigen en bewerken", "processor", 10, 200, "0.60"), ("Keuren", "certifier", 5, 500, "0.10"), ("Opslag en transport", "storage_manager", 10, 300, "0.10"), ("Verkoop", "trader", 10, 0, "0.10")],
    "hard": [("Constructief onderzoek vooraf", "inventoriser", 10, 1500, "0"), ("Demonteren", "demolisher", 10, 2000, "5.00"), ("Beproeven en certificeren", "certifier", 30, 3000, "2.00"), ("Opslag en transport", "storage_manager", 20, 800, "1.00"), ("Verkoop en ontwerpbegeleiding", "trader", 30, 500, "0.50")],
}  # fmt: skip

CASES = [
    ("Dakpannen van de Tarwewijk terug op het dak", "roof-tiles-ceramic", "Renovatie portiekflats Tarwewijk", "12.000 keramische dakpannen", "De **dakpannen** zijn met de hand gedemonteerd, op pallets gesorteerd en na een visuele keuring teruggelegd op het gerenoveerde dak."),
    ("Gele IJsselsteen voor nieuwbouw in Delft", "bricks-clay", "Sloop basisschool Delft-Oost", "38.000 bakstenen", "De **bakstenen** zijn gereinigd met een hamer en beitel; kalkmortel liet makkelijk los."),
    ("Klinkers uit de Hoogstraat", "paving-bricks", "Herinrichting Hoogstraat Gouda", "2.400 m² klinkers", "De gemeente hergebruikte de oude **klinkers** in dezelfde straat na sortering op breuk."),
    ("Stalen liggers uit een kantoor in Zoetermeer", "steel-beams", "Transformatie kantoor Zoetermeer", "42 t staalprofielen", "De **staalprofielen** zijn gecontroleerd op sterkteklasse en toegepast in een nieuwe bedrijfshal."),
    ("Kanaalplaatvloeren naar een tweede gebouw", "hollow-core-slabs", "Sloop parkeergarage Leiden", "1.100 m² kanaalplaatvloer", "Na constructieve beoordeling per batch zijn de **kanaalplaten** hergebruikt in een schoolgebouw."),
    ("Binnendeuren voor corporatiewoningen", "doors-interior", "Renovatie 120 woningen Schiedam", "360 binnendeuren", "De **binnendeuren** kregen nieuw hang- en sluitwerk en gingen terug in dezelfde complexen."),
    ("Houten balken als interieurwand", "timber-beams", "Sloop pakhuis Dordrecht", "180 m houten balken", "De **houten balken** zijn geschaafd en spijkervrij gemaakt voor een interieurwand."),
    ("Kozijnen voor tiny houses", "window-frames-timber", "Sloop rijtjeswoningen Gouda", "64 kozijnen", "De **kozijnen** zijn hersteld en toegepast in een tiny-housewijk."),
    ("Dubbel glas in een kas", "glazing-double", "Renovatie kantoor Rijswijk", "420 m² dubbel glas", "Het **isolatieglas** bleek niet meer geschikt voor gevels, maar wel voor een tuinbouwkas."),
    ("Betongranulaat in de fundering van een fietspad", "concrete-granulate", "Sloop kantoor Den Haag", "850 t betongranulaat", "Het **betongranulaat** is gecertificeerd en verwerkt in de fundering van een fietspad."),
    ("Sanitair via de materialenbank", "sanitary-ware", "Renovatie studentenhuisvesting Leiden", "140 wastafels en toiletpotten", "Het **sanitair** ging via de materialenbank naar particuliere verbouwers."),
]  # fmt: skip


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _barriers(facilitator, owner: Organisation, groups: dict[str, ProductGroup]) -> int:
    for title, theme, code, desc, evidence, proposal, status, source in BARRIERS:
        services.barrier_save(
            actor=facilitator,
            data={
                "title": title,
                "theme": theme,
                "product_group": groups.get(code) if code else None,
                "description": desc,
                "evidence": evidence,
                "proposal": proposal,
                "status": status,
                "owner": owner,
                "source": source,
                "links": CIRCULAW,
            },
            is_demo=True,
        )
    return len(BARRIERS)


def _plans(facilitator, groups: dict[str, ProductGroup]) -> int:
    for code, market, buyers, guideline in PLANS:
        group = groups[code]
        steps = [
            {"name": n, "role": r, "days": d, "fixed_eur": f, "eur_per_unit": u}
            for n, r, d, f, u in STEP_TEMPLATES[group.processing_effort]
        ]
        services.step_plan_save(
            actor=facilitator,
            data={
                "product_group": group,
                "market": market,
                "summary": f"Verwerkingsroute van **{group.name_nl.lower()}** voor {market.lower()}.",
                "assessment_guideline": guideline,
                "known_buyers": buyers,
                "source": "Schatting (demo): tijden en kosten per stap te vervangen door cijfers van producenten",
                "is_published": True,
            },
            steps=steps,
            is_demo=True,
        )
    return len(PLANS)


def _items(facilitator, authors: list, groups: dict[str, ProductGroup], today) -> int:
    n = 0
    for i, (title, code, project, reused, body) in enumerate(CASES):
        author = authors[i % len(authors)]
        item = services.item_save(
            actor=author,
            data={
                "kind": "case",
                "title": title,
                "summary": f"{reused} hergebruikt in {project}.",
                "body": body,
                "project_name": project,
                "reused": reused,
                "method": "Demontage, sortering en keuring; zie de tekst.",
                "quantities": reused,
                "conditions": "Vroeg betrokken sloper en voldoende tijd in de planning.",
                "lessons": "Inventariseer vroeg; spreek een afnemer af vóór de sloop.",
            },
            product_groups=[groups[code]],
            roles=["demolisher", "asset_owner"],
            phases=["harvest", "application"],
            is_demo=True,
        )
        services.item_submit(actor=author, item=item)
        if i < len(CASES) - 1:  # the last waits for the facilitator's review
            services.item_publish(actor=facilitator, item=item)
        n += 1
    start = timezone.make_aware(datetime.combine(today + timedelta(days=21), time(13, 30)))
    others: list[tuple[dict[str, Any], list[str]]] = [
        ({"kind": "guideline", "title": "BRL SVMS-007: veilig en milieubewust slopen", "standard_code": "BRL SVMS-007",
          "body": "De Beoordelingsrichtlijn voor Veilig en Milieubewust Slopen (BRL SVMS-007). Het verkenningsrapport (hfst. 4, Kansen) vraagt bestaande certificeringen zoals deze mee te laten tellen."}, ["harvest"]),
        ({"kind": "guideline", "title": "Beoordeling hergebruikte bakstenen", "standard_code": "NEN-EN 771-1",
          "body": "Praktische handvatten voor het beoordelen van gereinigde bakstenen."}, ["transformation"]),
        ({"kind": "news", "title": "Vernieuwersnetwerk Urban Mining van start",
          "body": "De provincie brengt de keten samen in een vernieuwersnetwerk."}, ["supply"]),
        ({"kind": "event", "title": "Materialendag Zuid-Holland", "starts_at": start, "ends_at": start + timedelta(hours=4),
          "venue": "Provinciehuis, Den Haag", "capacity": 120, "body": "Ontmoet slopers, verwerkers en architecten."}, ["application"]),
        ({"kind": "event", "title": "Werksessie beoordelingsrichtlijnen", "starts_at": start + timedelta(days=14),
          "venue": "Online", "capacity": 30, "body": "Werkgroep slopers, verwerkers, handelaren en architecten."}, ["transformation"]),
    ]  # fmt: skip
    for data, phases in others:
        item = services.item_save(actor=facilitator, data=data, phases=phases, is_demo=True)
        services.item_publish(actor=facilitator, item=item)
        n += 1
    return n


def _example(facilitator) -> ExampleProject | None:
    """The demo asset whose lots went furthest: most applied and harvested events."""
    from urbanmine.assets.models import Asset

    asset = (
        Asset.objects.filter(is_demo=True)
        .annotate(
            applied=Count("lots__events", filter=Q(lots__events__step="execution")),
            harvested=Count("lots__events", filter=Q(lots__events__step="dismantling")),
        )
        .filter(harvested__gt=0)
        .order_by("-applied", "-harvested", "id")
        .first()
    )
    if asset is None:
        return None
    project = services.example_project_save(
        actor=facilitator,
        data={
            "name": f"Voorbeeldproject {asset.name}",
            "conditions_financial": "Meerprijs voor demontage gedeeld tussen eigenaar en sloper.",
            "conditions_organisational": "Sloper en verwerker vanaf de inventarisatie aan tafel.",
            "conditions_technical": "Losmaakbare verbindingen; keuring per batch.",
            "notes": "Gemonitord van sloop tot hergebruik (demo).",
        },
        assets=[asset],
        is_demo=True,
    )
    services.example_project_publish(actor=facilitator, project=project)
    return project


def load_knowledge_demo(*, today) -> dict[str, int]:
    """Fill every part of the knowledge base; idempotent (refills the demo records)."""
    KnowledgeItem.objects.filter(is_demo=True).delete()
    StepPlan.objects.filter(is_demo=True).delete()
    Barrier.objects.filter(is_demo=True).delete()
    ExampleProject.objects.filter(is_demo=True).delete()
    facilitator = _user("provincie")
    province = Organisation.objects.get(name="Provincie Zuid-Holland (demo)")
    groups = {g.code: g for g in ProductGroup.objects.all()}
    authors = [_user(u) for u in ("sloper", "eigenaar", "verwerker", "adviseur")]
    counts = {
        "barriers": _barriers(facilitator, province, groups),
        "step_plans": _plans(facilitator, groups),
        "items": _items(facilitator, authors, groups, today),
    }
    counts["example_projects"] = 1 if _example(facilitator) else 0
    return counts
