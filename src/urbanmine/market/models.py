"""Demand: what destination projects need (matching and proposals build on this)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.models import Unit
from urbanmine.core.models import ACTIVE_STATUSES, Job
from urbanmine.lots.models import Quality


class DemandStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIAL = "partial", _("Partially matched")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class DemandRequest(models.Model):
    project = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("destination project"),
        on_delete=models.PROTECT,
        related_name="demand_requests",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="demand_requests",
    )
    product_group = models.ForeignKey(
        "catalogue.ProductGroup",
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        related_name="demand_requests",
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    min_quality = models.CharField(_("minimum quality"), max_length=1, choices=Quality.choices)
    window_start = models.DateField(_("needed from"))
    window_end = models.DateField(_("needed until"))
    max_distance_km = models.PositiveIntegerField(_("maximum transport distance (km)"), default=50)
    notes = models.TextField(_("dimensions and performance"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=DemandStatus.choices, default=DemandStatus.OPEN
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["window_start", "id"]
        verbose_name = _("demand request")
        verbose_name_plural = _("demand requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")),
                name="demand_window_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="demand_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_group} × {self.quantity} → {self.project}"


#: the solvers and the solver's outcome in words (engine.matching.SOLVERS, STATUSES)
SOLVER_LABELS = {
    "optimal": _("optimal (HiGHS, proven bound)"),
    "greedy": _("first come, first served (baseline)"),
}
RESULT_STATUS_LABELS = {
    "optimal": _("best answer proven"),
    "feasible": _("good answer, not proven best"),
    "time_limit": _("time limit reached"),
    "infeasible": _("no feasible answer"),
}


class MatchRun(Job):
    """One optimisation of the whole region: all offerable supply against all open demand.

    One at a time: `active` is True while a run is queued or running and NULL otherwise; its
    unique index lets only one row hold True, which two simultaneous starts cannot both
    insert (SQLite and PostgreSQL alike). Every path that ends a job clears it."""

    ENDED_FIELDS = {"active": None}

    solver = models.CharField(_("solver"), max_length=8, default="optimal")
    result_status = models.CharField(_("solver status"), max_length=12, blank=True)
    objective_eur = models.FloatField(_("objective (EUR)"), null=True, blank=True)
    bound_eur = models.FloatField(_("proven bound (EUR)"), null=True, blank=True)
    n_supply = models.PositiveIntegerField(default=0)
    n_demand = models.PositiveIntegerField(default=0)
    n_hubs = models.PositiveIntegerField(default=0)
    active = models.BooleanField(null=True, unique=True, editable=False, default=None)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active__isnull=True)
                | models.Q(active=True, status__in=ACTIVE_STATUSES),
                name="matchrun_active_only_while_queued_or_running",
            )
        ]

    def __str__(self) -> str:
        return f"run {self.pk} {self.status}"

    def get_solver_display(self) -> str:
        return str(SOLVER_LABELS.get(self.solver, self.solver))

    def get_result_status_display(self) -> str:
        return str(RESULT_STATUS_LABELS.get(self.result_status, self.result_status))

    @property
    def gap(self) -> float | None:
        if self.objective_eur is None or not self.bound_eur:
            return None
        return max(0.0, (self.bound_eur - self.objective_eur) / abs(self.bound_eur))


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    STALE = "stale", _("No longer available")
    SUPERSEDED = "superseded", _("Superseded by a newer run")
    RELEASED = "released", _("Reservation released")


class Proposal(models.Model):
    """A solver's proposal: this much of a lot to this demand, directly or via a hub."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    demand = models.ForeignKey(DemandRequest, on_delete=models.CASCADE, related_name="proposals")
    lot = models.ForeignKey("lots.Lot", on_delete=models.CASCADE, related_name="proposals")
    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    delivery_date = models.DateField(_("delivery date"))
    distance_km = models.FloatField(_("road distance (km)"))
    mass_kg = models.FloatField(_("mass (kg)"))
    co2_avoided_kg = models.FloatField(_("CO2 avoided (kg)"))
    transport_co2_kg = models.FloatField(_("transport CO2 (kg)"))
    value_eur = models.FloatField(_("value (EUR)"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
        db_index=True,
    )
    stale_reason = models.CharField(max_length=300, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    reservation = models.ForeignKey(
        "lots.LifecycleEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-value_eur"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self) -> str:
        return f"{self.lot_id} → {self.demand_id} × {self.quantity}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the owner")
    ACCEPTED = "accepted", _("accepted: reserved")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ReservationRequest(models.Model):
    """A buyer asks the owner of a lot on offer to reserve (part of) it (issue #13): on
    acceptance the quantity is reserved for the buyer exactly as an accepted proposal is
    (a connection step); the sale follows with the owner's consent."""

    lot = models.ForeignKey(
        "lots.Lot", on_delete=models.PROTECT, related_name="reservation_requests"
    )
    requester = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="reservation_requests",
    )
    project = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("for project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked at"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reservation = models.ForeignKey(
        "lots.LifecycleEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("reservation request")
        verbose_name_plural = _("reservation requests")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "requester"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_lot_and_buyer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} ← {self.requester_id} × {self.quantity} ({self.status})"


class WantedItem(models.Model):
    """A buyer's standing wish (issue #13): when supply of this product group and quality
    is published (within reach of the project, if one is named), whoever set it is told in
    the app and by e-mail."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="wanted_items"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wanted_items"
    )
    product_group = models.ForeignKey(
        "catalogue.ProductGroup", verbose_name=_("product group"), on_delete=models.PROTECT
    )
    min_quality = models.CharField(
        _("minimum quality"), max_length=1, choices=Quality.choices, default="C"
    )
    project = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("near project"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    max_distance_km = models.PositiveIntegerField(_("within (km)"), default=50)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("wanted item")
        verbose_name_plural = _("wanted list")

    def __str__(self) -> str:
        return f"{self.organisation_id} wants {self.product_group_id}"


class WantedMatch(models.Model):
    """A published lot a wanted item was told about: never twice."""

    wanted = models.ForeignKey(WantedItem, on_delete=models.CASCADE, related_name="matches")
    lot = models.ForeignKey("lots.Lot", on_delete=models.CASCADE, related_name="+")
    notified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wanted", "lot"], name="one_notice_per_wanted_lot")
        ]

    def __str__(self) -> str:
        return f"{self.wanted_id} ← {self.lot_id}"
