"""Pages of the knowledge base, the step plans, the agenda of barriers and the example
projects: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urbanmine.catalogue.selectors import processing_source_label
from urbanmine.core.documents import document_response
from urbanmine.core.forms import add_service_errors, error_text
from urbanmine.organisations.models import ChainRole

from . import selectors, services
from .forms import (
    AttachmentForm,
    BarrierFilterForm,
    BarrierForm,
    CommentForm,
    ExampleProjectForm,
    ItemForm,
    PlanStepFormSet,
    ReturnForm,
    SearchForm,
    StepPlanForm,
)
from .guide import guide_pdf, step_label
from .models import Attachment, Barrier, ExampleProject, ItemKind, KnowledgeItem, Phase, StepPlan
from .permissions import (
    barrier_may_comment,
    barrier_may_edit,
    example_project_may_manage,
    example_project_may_view,
    is_member,
    item_may_edit,
    item_may_review,
    item_may_view,
    step_plan_may_edit,
)

ROLE_LABELS = dict(ChainRole.choices)
PHASE_LABELS = dict(Phase.choices)


def _visible_item(request, pk) -> KnowledgeItem:
    try:
        item = selectors.item_detail(pk)
    except KnowledgeItem.DoesNotExist:
        raise Http404 from None
    if not item_may_view(request.user, item):
        raise Http404
    return item


# ------------------------------------------------------------------------ knowledge base
def knowledge_list(request):
    """The knowledge base: search and filter what the visitor may see (public: published)."""
    form = SearchForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    qs = selectors.items_search(
        viewer=request.user,
        q=d.get("q", ""),
        kind=d.get("kind", ""),
        product_group=d.get("product_group"),
        role=d.get("role", ""),
        phase=d.get("phase", ""),
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "knowledge/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_write": is_member(request.user),
            "may_review": item_may_review(request.user),
            "role_labels": ROLE_LABELS,
            "phase_labels": PHASE_LABELS,
        },
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


@login_required
def knowledge_workbench(request):
    """The author's unpublished items and (facilitator) the review queue."""
    if not is_member(request.user):
        raise PermissionDenied
    return render(
        request,
        "knowledge/workbench.html",
        {
            "own": selectors.own_items(request.user)[:100],
            "queue": selectors.review_queue()[:100] if item_may_review(request.user) else None,
        },
    )


def _item_data(form) -> tuple[dict, dict]:
    d = dict(form.cleaned_data)
    extra = {
        "product_groups": d.pop("product_groups", []),
        "roles": d.pop("roles", []),
        "phases": d.pop("phases", []),
    }
    return d, extra


@login_required
@require_http_methods(["GET", "POST"])
def knowledge_edit(request, pk=None):
    """Write a new item or change one (the author until published; the facilitator)."""
    item = None
    if pk is not None:
        item = _visible_item(request, pk)
        if not item_may_edit(request.user, item):
            raise PermissionDenied
    elif not is_member(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ItemForm(request.POST)
        if form.is_valid():
            data, extra = _item_data(form)
            try:
                item = services.item_save(actor=request.user, data=data, item=item, **extra)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Saved. Submit it for review when it is ready."))
                return redirect("knowledge-detail", pk=item.pk)
    elif item is not None:
        initial = {f: getattr(item, f) for f in services.ITEM_FIELDS}
        initial.update(
            product_groups=list(item.product_groups.all()),
            roles=item.tag_values("role"),
            phases=item.tag_values("phase"),
        )
        form = ItemForm(initial=initial)
    else:
        kind = request.GET.get("kind")
        form = ItemForm(initial={"kind": kind if kind in ItemKind.values else ItemKind.CASE})
    return render(
        request,
        "knowledge/edit.html",
        {"form": form, "item": item},
        status=400 if form.errors else 200,
    )


def knowledge_detail(request, pk):
    item = _visible_item(request, pk)
    signed_up = request.user.is_authenticated and item.signups.filter(user=request.user).exists()
    return render(
        request,
        "knowledge/detail.html",
        {
            "item": item,
            "may_edit": item_may_edit(request.user, item),
            "may_review": item_may_review(request.user),
            "attach_form": AttachmentForm(),
            "return_form": ReturnForm(),
            "roles": [ROLE_LABELS.get(v, v) for v in item.tag_values("role")],
            "phases": [PHASE_LABELS.get(v, v) for v in item.tag_values("phase")],
            "signed_up": signed_up,
            "example": ExampleProject.objects.filter(case=item).first(),
            "signups": (
                list(item.signups.select_related("user", "organisation"))
                if item.kind == ItemKind.EVENT and item_may_review(request.user)
                else []
            ),
            "photos": [a for a in item.attachments.all() if a.kind == "photo"],
            "documents": [a for a in item.attachments.all() if a.kind == "document"],
        },
    )


@login_required
@require_http_methods(["POST"])
def knowledge_submit(request, pk):
    item = _visible_item(request, pk)
    try:
        services.item_submit(actor=request.user, item=item)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, _("Submitted for review by the facilitator."))
    return redirect("knowledge-detail", pk=item.pk)


@login_required
@require_http_methods(["POST"])
def knowledge_review(request, pk):
    """The facilitator publishes, or returns the item with a note."""
    item = _visible_item(request, pk)
    if not item_may_review(request.user):
        raise PermissionDenied
    try:
        if request.POST.get("decision") == "publish":
            services.item_publish(actor=request.user, item=item)
            messages.success(request, _("Published."))
        else:
            services.item_return(actor=request.user, item=item, note=request.POST.get("note", ""))
            messages.success(request, _("Returned to the author."))
    except ValidationError as e:
        messages.error(request, error_text(e))
    return redirect("knowledge-detail", pk=item.pk)


@login_required
@require_http_methods(["POST"])
def knowledge_attach(request, pk):
    item = _visible_item(request, pk)
    if not item_may_edit(request.user, item):
        raise PermissionDenied
    if getattr(request, "upload_too_large", False):
        messages.error(request, _("The file is too large."))
        return redirect("knowledge-detail", pk=item.pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.item_attach(
                actor=request.user,
                item=item,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, _("File attached."))
    else:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errs)}")
    return redirect("knowledge-detail", pk=item.pk)


def knowledge_attachment(request, pk):
    """A photo (shown inline) or document (downloaded) of an item the visitor may see."""
    att = get_object_or_404(Attachment.objects.select_related("item"), pk=pk)
    if not item_may_view(request.user, att.item):
        raise Http404
    if att.content_type == "application/pdf":
        return document_response(att.file, f"document-{att.pk}.pdf")
    with att.file.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_http_methods(["POST"])
def knowledge_signup(request, pk):
    item = _visible_item(request, pk)
    try:
        if request.POST.get("cancel"):
            services.event_signup_cancel(actor=request.user, item=item)
            messages.success(request, _("Your sign-up is cancelled."))
        else:
            services.event_signup(actor=request.user, item=item)
            messages.success(request, _("You are signed up."))
    except ValidationError as e:
        messages.error(request, error_text(e))
    return redirect("knowledge-detail", pk=item.pk)


# ------------------------------------------------------------------------ step plans
def stepplan_list(request):
    """Step plans per product group, with their totals (time, cost)."""
    plans = selectors.step_plans(request.user)
    return render(
        request,
        "knowledge/stepplan_list.html",
        {"plans": plans, "may_edit": step_plan_may_edit(request.user)},
    )


def stepplan_detail(request, pk):
    try:
        plan = selectors.step_plan_visible(request.user, pk)
    except StepPlan.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "knowledge/stepplan_detail.html",
        {
            "plan": plan,
            "totals": selectors.plan_totals(plan),
            "processing_source": processing_source_label(plan.product_group),
            "may_edit": step_plan_may_edit(request.user),
            "role_labels": ROLE_LABELS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def stepplan_edit(request, pk=None):
    if not step_plan_may_edit(request.user):
        raise PermissionDenied
    plan = get_object_or_404(StepPlan, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = StepPlanForm(request.POST)
        formset = PlanStepFormSet(request.POST, prefix="steps")
        if form.is_valid() and formset.is_valid():
            steps = [f.cleaned_data for f in formset.forms if f.cleaned_data]
            try:
                plan = services.step_plan_save(
                    actor=request.user, data=form.cleaned_data, steps=steps, plan=plan
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Step plan saved."))
                return redirect("stepplan-detail", pk=plan.pk)
    else:
        initial = (
            {
                f: getattr(plan, f)
                for f in ("product_group", "market", "summary", "assessment_guideline")
                + ("known_buyers", "source", "is_published")
            }
            if plan
            else {}
        )
        form = StepPlanForm(initial=initial)
        steps = (
            [
                {
                    "name": s.name,
                    "role": s.role,
                    "days": s.days,
                    "fixed_eur": s.fixed_eur,
                    "eur_per_unit": s.eur_per_unit,
                    "notes": s.notes,
                }
                for s in plan.steps.all()
            ]
            if plan
            else []
        )
        formset = PlanStepFormSet(initial=steps, prefix="steps")
    errors = form.errors or any(formset.errors)
    return render(
        request,
        "knowledge/stepplan_edit.html",
        {"form": form, "formset": formset, "plan": plan},
        status=400 if errors else 200,
    )


# ------------------------------------------------------------------------ barriers
def barrier_list(request):
    """The agenda of regulatory barriers (public)."""
    form = BarrierFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    qs = selectors.barriers(
        theme=d.get("theme", ""), status=d.get("status", ""), product_group=d.get("product_group")
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "knowledge/barrier_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_edit": barrier_may_edit(request.user),
        },
    )


def barrier_detail(request, pk):
    barrier = get_object_or_404(Barrier.objects.select_related("product_group", "owner"), pk=pk)
    form = CommentForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not barrier_may_comment(request.user):
            raise PermissionDenied
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.barrier_comment_add(
                    actor=request.user, barrier=barrier, body=form.cleaned_data["body"]
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Comment added."))
                return redirect("barrier-detail", pk=barrier.pk)
    return render(
        request,
        "knowledge/barrier_detail.html",
        {
            "barrier": barrier,
            "links": selectors.barrier_links(barrier),
            "comments": barrier.comments.select_related("author", "organisation"),
            "form": form,
            "may_comment": barrier_may_comment(request.user),
            "may_edit": barrier_may_edit(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def barrier_edit(request, pk=None):
    if not barrier_may_edit(request.user):
        raise PermissionDenied
    barrier = get_object_or_404(Barrier, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = BarrierForm(request.POST, instance=barrier)
        if form.is_valid():
            data = {f: form.cleaned_data.get(f) for f in services.BARRIER_FIELDS}
            try:
                barrier = services.barrier_save(actor=request.user, data=data, barrier=barrier)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Barrier saved."))
                return redirect("barrier-detail", pk=barrier.pk)
    else:
        form = BarrierForm(instance=barrier)
    return render(
        request,
        "knowledge/barrier_edit.html",
        {"form": form, "barrier": barrier},
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------------------ example projects
def example_list(request):
    return render(
        request,
        "knowledge/example_list.html",
        {
            "projects": selectors.example_projects(request.user),
            "may_manage": example_project_may_manage(request.user),
        },
    )


def _visible_example(request, pk) -> ExampleProject:
    project = get_object_or_404(ExampleProject, pk=pk)
    if not example_project_may_view(request.user, project):
        raise Http404
    return project


def example_detail(request, pk):
    """The example project's report, generated from its lifecycle events."""
    project = _visible_example(request, pk)
    report = selectors.example_project_report(project)
    names = selectors.group_names(g.product_group for g in report.groups)
    return render(
        request,
        "knowledge/example_detail.html",
        {
            "project": project,
            "assets": list(project.assets.all()),
            "report": report,
            "names": names,
            "transitions": [
                (
                    names.get(g.product_group, g.product_group),
                    step_label(t.from_step),
                    step_label(t.to_step),
                    t,
                )
                for g in report.groups
                for t in g.transitions
            ],
            "may_manage": example_project_may_manage(request.user),
        },
    )


def example_guide(request, pk):
    """The downloadable guide (PDF)."""
    project = _visible_example(request, pk)
    report = selectors.example_project_report(project)
    names = selectors.group_names(g.product_group for g in report.groups)
    response = HttpResponse(guide_pdf(project, report, names), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="handreiking-{project.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def example_edit(request, pk=None):
    if not example_project_may_manage(request.user):
        raise PermissionDenied
    project = get_object_or_404(ExampleProject, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = ExampleProjectForm(request.POST, instance=project)
        if form.is_valid():
            d = form.cleaned_data
            try:
                project = services.example_project_save(
                    actor=request.user,
                    data={f: d.get(f) for f in services.EXAMPLE_FIELDS},
                    assets=d["assets"],
                    project=project,
                )
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Example project saved."))
                return redirect("example-detail", pk=project.pk)
    else:
        form = ExampleProjectForm(instance=project)
    return render(
        request,
        "knowledge/example_edit.html",
        {"form": form, "project": project},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def example_publish(request, pk):
    """The facilitator publishes the example project: it becomes a case, its guide public."""
    if not example_project_may_manage(request.user):
        raise PermissionDenied
    project = get_object_or_404(ExampleProject, pk=pk)
    try:
        item = services.example_project_publish(actor=request.user, project=project)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect("example-detail", pk=project.pk)
    messages.success(request, _("Published as a case in the knowledge base."))
    return redirect("knowledge-detail", pk=item.pk)
