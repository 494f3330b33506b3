"""The tender annex and award report as a Word document (python-docx) and as a PDF
(reportlab), in Dutch. Both render one list of blocks (`annex_blocks`), so they never
disagree."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from urbanmine.core.formatting import format_number

from . import selectors
from .models import Phase, Tender


@dataclass
class Block:
    kind: str  # "h1" | "h2" | "p" | "table"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # a table: header row first


def _pct(v) -> str:
    return "–" if v is None else f"{format_number(v, 1)}%"


def _eur(v) -> str:
    return "–" if v is None else f"€ {format_number(v, 0)}"


def annex_blocks(tender: Tender) -> list[Block]:
    """The annex in Dutch: project and passport, requirements, award criteria, clauses,
    bids with the ranking, and a worked example of the fictitious discount."""
    with translation.override("nl"):
        return list(_blocks(tender))


def _blocks(t: Tender) -> Iterator[Block]:
    yield Block("h1", _("Tender annex: %(title)s") % {"title": t.title})
    yield Block(
        "p",
        _(
            "Client: %(client)s. Project: %(asset)s, %(muni)s (built %(year)s). Kind: %(kind)s. "
            "Drawn up on %(day)s with urbanmine."
        )
        % {
            "client": t.owner.name,
            "asset": t.asset.name,
            "muni": t.asset.municipality.name,
            "year": t.asset.construction_year or "?",
            "kind": t.get_phase_display(),
            "day": timezone.localdate().strftime("%d-%m-%Y"),
        },
    )
    yield from _passport_blocks(t)
    yield from _requirement_blocks(t)
    yield from _clause_blocks(t)
    yield from _ranking_blocks(t)
    yield Block(
        "p",
        _(
            "Sources of the approach: Verkenning Urban Mining Zuid-Holland, chapter 4 "
            "'Kansen' (aanbesteding en inkoop) and 'Agenda' (Ambitie- en uitvraagtool voor "
            "hoogwaardig hergebruik). CO2 from the platform's cited factor table."
        ),
    )


def _passport_blocks(t: Tender) -> Iterator[Block]:
    potential = selectors.realistic_potential(t.asset)
    yield Block("h2", _("1. Expected quantities (material passport)"))
    if potential.passport.basis == "estimate":
        yield Block("p", _("From the estimated passport (floor area × material intensity)."))
    elif not potential.passport.basis:
        yield Block("p", _("The project has no passport yet."))
    rows = [
        [
            _("Product group or material"),
            _("Mass (t)"),
            _("Realistically harvestable"),
            _("Hazards"),
        ]
    ]
    for r in sorted(potential.rows, key=lambda r: -r.mass_kg):
        rows.append(
            [
                potential.passport.labels.get(r.product_group, r.product_group),
                format_number(r.mass_kg / 1000, 1),
                _pct(100 * r.realistic_share),
                ", ".join(_substance(s) for s in r.substances) or "–",
            ]
        )
    rows.append(
        [
            _("Total"),
            format_number(potential.passport.total_kg / 1000, 1),
            _pct(potential.realistic_pct),
            "",
        ]
    )
    yield Block("table", rows=rows)


def _requirement_blocks(t: Tender) -> Iterator[Block]:
    demolition = t.phase == Phase.DEMOLITION
    yield Block("h2", _("2. Requirements"))
    reqs = []
    if demolition:
        reqs.append(
            _("Minimum harvest percentage by mass: %(p)s.") % {"p": _pct(t.min_harvest_pct)}
        )
        if t.max_resale_days is not None:
            reqs.append(
                _("Harvested lots are resold or applied within %(d)s days of harvest.")
                % {"d": t.max_resale_days}
            )
    else:
        reqs.append(
            _("Minimum share of secondary materials by mass: %(p)s.")
            % {"p": _pct(t.min_secondary_pct)}
        )
    if t.requires_reuse_plan:
        reqs.append(_("The bidder submits a reuse plan with the bid."))
    if t.requires_inventory:
        reqs.append(_("An inventory of the materials precedes the work."))
    if t.requires_registration:
        reqs.append(_("Every lot is registered on the platform, with its lifecycle events."))
    for r in reqs:
        yield Block("p", "• " + r)

    yield Block("h2", _("3. Award criteria"))
    what = _("harvested") if demolition else _("secondary material applied")
    if t.eur_per_quality_point:
        text = _(
            "The lowest assessed price wins. Assessed price = offered price − fictitious "
            "discount (%(d)s per tonne %(what)s) − %(q)s per point of the reuse plan score. "
            "The discounts are fictitious: the client pays the offered price."
        ) % {"d": _eur(t.discount_eur_per_t or 0), "what": what, "q": _eur(t.eur_per_quality_point)}
    else:
        text = _(
            "The lowest assessed price wins. Assessed price = offered price − fictitious "
            "discount (%(d)s per tonne %(what)s). The discount is fictitious: the client pays "
            "the offered price."
        ) % {"d": _eur(t.discount_eur_per_t or 0), "what": what}
    yield Block("p", text)


def _clause_blocks(t: Tender) -> Iterator[Block]:
    yield Block("h2", _("4. Clauses"))
    clauses = list(t.tender_clauses.all())
    if not clauses:
        yield Block("p", _("No clauses chosen."))
    for i, tc in enumerate(clauses, start=1):
        c = tc.clause
        yield Block("p", f"4.{i} {c.title} ({_('version')} {c.version})")
        yield Block("p", c.text)
        groups = ", ".join(g.name for g in c.product_groups.all())
        yield Block(
            "p",
            _("Source: %(s)s.") % {"s": c.source}
            + (" " + _("Product groups: %(g)s.") % {"g": groups} if groups else ""),
        )


def _ranking_blocks(t: Tender) -> Iterator[Block]:
    ranking = selectors.tender_ranking(t)
    yield Block("h2", _("5. Bids and ranking"))
    if ranking is None:
        yield Block("p", _("No bids entered yet."))
    else:
        rows = [
            [
                _("Place in ranking"),
                _("Bidder"),
                _("Price"),
                _("Tonnes kept in use"),
                _("Fictitious discount"),
                _("Assessed price"),
                _("CO2 avoided (t)"),
            ]
        ]
        for r in ranking.rows:
            rows.append(
                [
                    str(r["rank"]),
                    r["bid"].bidder,
                    _eur(r["bid"].price_eur),
                    format_number(r["tonnes"], 1),
                    _eur(r["fictitious_eur"]),
                    _eur(r["assessed_eur"]),
                    format_number(r["co2_avoided_t"], 1),
                ]
            )
        yield Block("table", rows=rows)
        yield Block("h2", _("6. Worked example: the break-even discount"))
        yield Block("p", _break_even_text(ranking))


def _substance(s: str) -> str:
    return {"asbestos": _("asbestos"), "chromium-6": _("chromium-6")}.get(s, s)


def _break_even_text(r: selectors.Ranking) -> str:
    if r.cheapest == r.most_circular:
        return _(
            "The cheapest bid (%(b)s) also keeps the most tonnes in use: it wins at any discount."
        ) % {"b": r.cheapest}
    if r.break_even_eur_per_t is None:
        return _(
            "No discount per tonne makes %(c)s win: it keeps no more tonnes in use than %(p)s."
        ) % {
            "c": r.most_circular,
            "p": r.cheapest,
        }
    return _(
        "The cheapest bid is %(p)s; the bid keeping most tonnes in use is %(c)s. Break-even "
        "discount = (price difference) / (difference in tonnes) = %(d)s per tonne: above it "
        "%(c)s wins."
    ) % {"p": r.cheapest, "c": r.most_circular, "d": _eur_exact(r.break_even_eur_per_t)}


def _eur_exact(v: float) -> str:
    return f"€ {format_number(v, 2)}"


# ------------------------------------------------------------------------------ Word
def annex_docx(tender: Tender) -> bytes:
    from docx import Document

    doc = Document()
    for b in annex_blocks(tender):
        if b.kind == "h1":
            doc.add_heading(b.text, level=1)
        elif b.kind == "h2":
            doc.add_heading(b.text, level=2)
        elif b.kind == "p":
            doc.add_paragraph(b.text)
        elif b.kind == "table":
            table = doc.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            table.style = "Table Grid"
            for i, row in enumerate(b.rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------- PDF
def annex_pdf(tender: Tender) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story: list = []
    for b in annex_blocks(tender):
        if b.kind == "h1":
            story.append(Paragraph(escape(b.text), styles["Title"]))
        elif b.kind == "h2":
            story.append(Paragraph(escape(b.text), styles["Heading2"]))
        elif b.kind == "p":
            story.append(Paragraph(escape(b.text), styles["BodyText"]))
        elif b.kind == "table":
            data = [[Paragraph(escape(c), small) for c in row] for row in b.rows]
            table = Table(data, repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
            story.append(Spacer(1, 3 * mm))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=tender.title,
        author="urbanmine",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(story)
    return out.getvalue()
