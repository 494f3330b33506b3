"""Reads of the knowledge base, shaped for its pages, with bounded query counts; functions
taking a `viewer` show only what that user may see.

Full-text search: on PostgreSQL the text search of the Dutch configuration (stemming, and
every word as a prefix: "dakpan" finds "dakpannen", "gereinigde" finds "gereinigd"), ranked; elsewhere (SQLite) every word must occur in the title,
summary, body or case fields (case-insensitive substring), newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from urbanmine.catalogue.factors import factor_source
from urbanmine.catalogue.models import ProductGroup
from urbanmine.engine.impact import ImpactError
from urbanmine.engine.knowledge import (
    PlanStep as PlanStepRow,
)
from urbanmine.engine.knowledge import (
    PlanTotals,
    ProjectReport,
    ReportEvent,
    project_report,
    step_plan_totals,
)
from urbanmine.lots.models import LifecycleEvent, Lot

from .models import (
    Barrier,
    ExampleProject,
    ItemTag,
    KnowledgeItem,
    StepPlan,
    TagKind,
)
from .permissions import example_projects_visible_filter, is_facilitator, items_visible_filter

SEARCH_FIELDS = (
    "title",
    "summary",
    "body",
    "project_name",
    "reused",
    "method",
    "conditions",
    "lessons",
)


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def _search(qs: QuerySet[KnowledgeItem], q: str) -> QuerySet[KnowledgeItem]:
    words = q.split()
    if not words:
        return qs
    if uses_postgres_search():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        weights = {"title": "A", "summary": "B", "project_name": "B", "reused": "B"}
        vector: Any = SearchVector(*SEARCH_FIELDS[:1], config="dutch", weight="A")
        for name in SEARCH_FIELDS[1:]:
            vector = vector + SearchVector(name, config="dutch", weight=weights.get(name, "C"))
        # every word, stemmed by the Dutch configuration and matched as a prefix, so that
        # "dakpan" (stem dakpan) also finds "dakpannen" (stem dakpann)
        terms = [t for t in (re.sub(r"\W+", "", w) for w in words) if t]
        if not terms:
            return qs.none()
        query = SearchQuery(" & ".join(f"{t}:*" for t in terms), config="dutch", search_type="raw")
        return (
            qs.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "-published_at", "-id")
        )
    for word in words:
        cond = Q()
        for name in SEARCH_FIELDS:
            cond |= Q(**{f"{name}__icontains": word})
        qs = qs.filter(cond)
    return qs


def items_search(
    *,
    viewer,
    q: str = "",
    kind: str = "",
    product_group: ProductGroup | None = None,
    role: str = "",
    phase: str = "",
    status: str = "",
) -> QuerySet[KnowledgeItem]:
    """The items the viewer may see that match; tags and product groups prefetched."""
    qs = KnowledgeItem.objects.filter(items_visible_filter(viewer))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if product_group is not None:
        qs = qs.filter(product_groups=product_group)
    if role:
        qs = qs.filter(tags__kind=TagKind.ROLE, tags__value=role)
    if phase:
        qs = qs.filter(
            id__in=ItemTag.objects.filter(kind=TagKind.PHASE, value=phase).values("item_id")
        )
    qs = _search(qs.distinct() if role else qs, q.strip())
    return qs.select_related("organisation").prefetch_related("product_groups", "tags")


def item_detail(pk: int) -> KnowledgeItem:
    return (
        KnowledgeItem.objects.select_related("organisation", "author", "published_by")
        .prefetch_related("product_groups", "tags", "attachments")
        .annotate(signup_count=Count("signups"))
        .get(pk=pk)
    )


def review_queue() -> QuerySet[KnowledgeItem]:
    return (
        KnowledgeItem.objects.filter(status="submitted")
        .select_related("organisation", "author")
        .order_by("updated_at")
    )


def own_items(user) -> QuerySet[KnowledgeItem]:
    from urbanmine.organisations.membership import user_organisation_ids

    return (
        KnowledgeItem.objects.filter(
            Q(author=user) | Q(organisation_id__in=user_organisation_ids(user))
        )
        .exclude(status="published")
        .select_related("organisation")
        .order_by("-updated_at")
    )


# ------------------------------------------------------------------------ step plans
@dataclass(frozen=True)
class PlanView:
    plan: StepPlan
    totals: PlanTotals


def plan_totals(plan: StepPlan) -> PlanTotals:
    """The plan's sums (engine); the minimum batch is the catalogue's."""
    rows = [PlanStepRow(s.days, s.fixed_eur, s.eur_per_unit) for s in plan.steps.all()]
    return step_plan_totals(rows, plan.product_group.min_batch)


def step_plans(viewer, product_group: ProductGroup | None = None) -> list[PlanView]:
    qs = StepPlan.objects.select_related("product_group").prefetch_related("steps")
    if not is_facilitator(viewer):
        qs = qs.filter(is_published=True)
    if product_group is not None:
        qs = qs.filter(product_group=product_group)
    return [PlanView(p, plan_totals(p)) for p in qs]


def step_plan_visible(viewer, pk: int) -> StepPlan:
    qs = StepPlan.objects.select_related("product_group").prefetch_related("steps")
    if not is_facilitator(viewer):
        qs = qs.filter(is_published=True)
    return qs.get(pk=pk)


# ------------------------------------------------------------------------ barriers
def barriers(*, theme: str = "", status: str = "", product_group: ProductGroup | None = None):
    qs = Barrier.objects.select_related("product_group", "owner").annotate(
        comment_count=Count("comments")
    )
    if theme:
        qs = qs.filter(theme=theme)
    if status:
        qs = qs.filter(status=status)
    if product_group is not None:
        qs = qs.filter(Q(product_group=product_group) | Q(product_group__isnull=True))
    return qs.order_by("theme", "title", "id")


def barrier_links(barrier: Barrier) -> list[tuple[str, str]]:
    """`title | url` lines as (title, url); a bare url is its own title."""
    out = []
    for line in (barrier.links or "").splitlines():
        if not line.strip():
            continue
        title, _sep, url = line.rpartition("|")
        url = url.strip()
        out.append(((title.strip() or url), url))
    return out


# ------------------------------------------------------------------------ example projects
def example_projects(viewer) -> QuerySet[ExampleProject]:
    return (
        ExampleProject.objects.filter(example_projects_visible_filter(viewer))
        .distinct()
        .prefetch_related("assets")
        .select_related("case")
    )


def example_project_lots(project: ExampleProject) -> QuerySet[Lot]:
    """The lots harvested from or applied in the project's assets."""
    ids = [a.pk for a in project.assets.all()]
    return Lot.objects.filter(
        Q(source_asset_id__in=ids) | Q(applied_asset_id__in=ids) | Q(source_assets__in=ids)
    ).distinct()


def _gains(codes: set[str]) -> dict[str, float]:
    source = factor_source()
    out = {}
    for code in codes:
        try:
            out[code] = source.factor(code).gain_kg_per_kg
        except ImpactError:
            continue
    return out


def example_project_events(project: ExampleProject) -> list[ReportEvent]:
    """The project's lifecycle events in the engine's shape (one query)."""
    events = (
        LifecycleEvent.objects.filter(lot__in=example_project_lots(project).values("id"))
        .select_related("lot__product_group")
        .only(
            "lot_id",
            "step",
            "occurred_at",
            "quantity",
            "payload",
            "cost_eur",
            "revenue_eur",
            "lot__mass_kg_per_unit",
            "lot__product_group__code",
        )
        .order_by("occurred_at", "id")
    )
    return [
        ReportEvent(
            lot_id=e.lot_id,
            product_group=e.lot.product_group.code,
            step=e.step,
            occurred_at=e.occurred_at,
            mass_kg=float(e.quantity * e.lot.mass_kg_per_unit),
            passed=(e.payload or {}).get("passed"),
            cost_eur=e.cost_eur,
            revenue_eur=e.revenue_eur,
        )
        for e in events
    ]


def example_project_report(project: ExampleProject) -> ProjectReport:
    events = example_project_events(project)
    return project_report(events, _gains({e.product_group for e in events}))


def group_names(codes) -> dict[str, str]:
    return {g.code: g.name for g in ProductGroup.objects.filter(code__in=list(codes))}


def example_project_case_text(project: ExampleProject) -> dict:
    """The case an example project becomes: its numbers as Markdown (Dutch interface
    language at the time of publishing), the product groups it covers."""
    from urbanmine.core.formatting import format_number

    report = example_project_report(project)
    names = group_names(g.product_group for g in report.groups)
    lines = [
        "| "
        + " | ".join(
            [
                _("Product group"),
                _("Harvested (t)"),
                _("Processed (t)"),
                _("Applied (t)"),
                _("Rejected (t)"),
                _("CO2 avoided (t)"),
            ]
        )
        + " |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for g in report.groups:
        lines.append(
            "| "
            + " | ".join(
                [
                    names.get(g.product_group, g.product_group),
                    format_number(g.harvested_kg / 1000, 1),
                    format_number(g.processed_kg / 1000, 1),
                    format_number(g.applied_kg / 1000, 1),
                    format_number(g.rejected_kg / 1000, 1),
                    format_number(g.co2_avoided_kg / 1000, 1),
                ]
            )
            + " |"
        )
    t = report.total
    body = "\n".join(
        [
            _("Generated from the lifecycle events of the project's lots."),
            "",
            *lines,
            "",
            project.notes or "",
        ]
    )
    reused = ", ".join(
        names.get(g.product_group, g.product_group) for g in report.groups if g.applied_kg
    )
    return {
        "summary": _("%(applied)s t applied, %(co2)s t CO2 avoided, from %(n)d lots.")
        % {
            "applied": format_number(t.applied_kg / 1000, 1),
            "co2": format_number(t.co2_avoided_kg / 1000, 1),
            "n": t.lots,
        },
        "body": body,
        "reused": reused or _("(nothing applied yet)"),
        "quantities": _("Harvested %(h)s t; applied %(a)s t; rejected %(r)s t.")
        % {
            "h": format_number(t.harvested_kg / 1000, 1),
            "a": format_number(t.applied_kg / 1000, 1),
            "r": format_number(t.rejected_kg / 1000, 1),
        },
        "costs": _("Costs recorded %(c)s EUR; revenues recorded %(r)s EUR.")
        % {"c": format_number(t.cost_eur, 0), "r": format_number(t.revenue_eur, 0)},
        "product_groups": list(
            ProductGroup.objects.filter(code__in=[g.product_group for g in report.groups])
        ),
    }


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))
