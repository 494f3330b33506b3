"""The example project's guide as PDF (reportlab): the report per product group, the time
between steps, costs and revenues where recorded, CO2 avoided, and the team's conditions —
the province's "handreiking implementatie toepassing secundair materiaal"."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.core.formatting import format_number
from urbanmine.engine.knowledge import ProjectReport

from .models import ExampleProject
from .rendering import plain_text


def step_label(code: str) -> str:
    from urbanmine.lots.lifecycle import Step

    try:
        return str(Step(code).label)
    except ValueError:
        return code


def guide_pdf(project: ExampleProject, report: ProjectReport, names: dict[str, str]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        title=_("Guide: %(name)s") % {"name": project.name},
        author="urbanmine Zuid-Holland",
    )
    p = lambda text, style="BodyText": Paragraph(escape(str(text)), styles[style])  # noqa: E731
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
        ]
    )
    story = [
        p(_("Guide for applying secondary materials"), "Title"),
        p(_("Example project: %(name)s") % {"name": project.name}, "Heading2"),
        p(
            _("Generated on %(date)s from the lifecycle events of %(n)d lots.")
            % {"date": timezone.localdate().strftime("%d-%m-%Y"), "n": report.total.lots}
        ),
        Spacer(1, 4 * mm),
        p(_("What was harvested, processed, applied and rejected"), "Heading3"),
    ]
    head = [
        _("Product group"),
        _("Harvested (t)"),
        _("Processed (t)"),
        _("Applied (t)"),
        _("Rejected (t)"),
        _("Cost (EUR)"),
        _("Revenue (EUR)"),
        _("CO2 avoided (t)"),
    ]
    rows = [head]
    for g in [*report.groups, report.total]:
        rows.append(
            [
                names.get(g.product_group, g.product_group) if g.product_group else _("Total"),
                format_number(g.harvested_kg / 1000, 2),
                format_number(g.processed_kg / 1000, 2),
                format_number(g.applied_kg / 1000, 2),
                format_number(g.rejected_kg / 1000, 2),
                format_number(g.cost_eur, 0) if g.costed_events else "–",
                format_number(g.revenue_eur, 0) if g.revenue_events else "–",
                format_number(g.co2_avoided_kg / 1000, 2),
            ]
        )
    table = Table(rows, repeatRows=1)
    table.setStyle(grid)
    story += [table, Spacer(1, 4 * mm), p(_("Time between steps"), "Heading3")]
    trows = [[_("Product group"), _("From"), _("To"), _("Lots"), _("Mean days")]]
    for g in report.groups:
        for t in g.transitions:
            trows.append(
                [
                    names.get(g.product_group, g.product_group),
                    step_label(t.from_step),
                    step_label(t.to_step),
                    str(t.count),
                    format_number(t.mean_days, 1),
                ]
            )
    if len(trows) > 1:
        tt = Table(trows, repeatRows=1)
        tt.setStyle(grid)
        story.append(tt)
    else:
        story.append(p(_("No lot has two timed steps yet.")))
    for title, text in (
        (_("Financial conditions"), project.conditions_financial),
        (_("Organisational conditions"), project.conditions_organisational),
        (_("Technical conditions"), project.conditions_technical),
        (_("Notes of the team"), project.notes),
    ):
        if text:
            story += [Spacer(1, 3 * mm), p(title, "Heading3")]
            story += [p(par) for par in plain_text(text).split("\n") if par.strip()]
    story += [
        Spacer(1, 4 * mm),
        p(
            _(
                "CO2 avoided = applied mass × (virgin − reuse) factor of the platform's cited "
                "factor table; costs and revenues only where recorded on the events."
            ),
            "Italic",
        ),
    ]
    doc.build(story)
    return buf.getvalue()
