"""Organisations of the chain and the roles they hold (DOMAIN.md: an organisation can hold several)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainRole(models.TextChoices):
    ASSET_OWNER = "asset_owner", _("Asset owner & end user")
    INVENTORISER = "inventoriser", _("Inventoriser")
    DEMOLISHER = "demolisher", _("Demolition contractor")
    MATCHMAKER = "matchmaker", _("Matchmaker / platform manager")
    DESIGNER = "designer", _("Designer")
    BUILDER = "builder", _("Builder")
    PERMIT_AUTHORITY = "permit_authority", _("Permit authority")
    TRADER = "trader", _("Trader & distributor")
    PROCESSOR = "processor", _("Processor")
    CERTIFIER = "certifier", _("Product inspector & certifier")
    STORAGE_MANAGER = "storage_manager", _("Intermediate storage manager")
    FACILITATOR = "facilitator", _("Adviser, researcher or network")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True)
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    # A permit authority (omgevingsdienst) serves several municipalities; empty: its own.
    municipalities_served = models.ManyToManyField(
        "regions.Municipality",
        verbose_name=_("municipalities served"),
        blank=True,
        related_name="served_by",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def role_codes(self) -> list[str]:
        return [r.role for r in self.roles.all()]

    def get_roles_display(self) -> str:
        labels = dict(ChainRole.choices)
        return ", ".join(str(labels[r]) for r in self.role_codes)


class OrganisationRole(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=ChainRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role"], name="uniq_organisation_role")
        ]
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_role_display()}"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    is_admin = models.BooleanField(_("organisation administrator"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="uniq_membership")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class Invitation(models.Model):
    """An organisation administrator invites someone by e-mail (issue #13): the link in the
    mail carries a random token; whoever opens it creates an account (or, signed in, joins
    with the current one). Used once; expires; revocable."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    as_admin = models.BooleanField(_("as organisation administrator"), default=False)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("invited at"))
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation_id}"

    def is_open(self, now) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


class AccountRequest(models.Model):
    """A newcomer asks to join an organisation (issue #13): the account exists but cannot
    sign in until the organisation's administrator (or the data steward) approves."""

    PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
    STATUSES = [
        (PENDING, _("waiting for approval")),
        (APPROVED, _("approved")),
        (DECLINED, _("declined")),
    ]

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="account_requests"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_request",
    )
    username = models.CharField(_("user name"), max_length=150)
    email = models.EmailField(_("e-mail address"))
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=PENDING)
    requested_at = models.DateTimeField(_("asked at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")

    def __str__(self) -> str:
        return f"{self.username} → {self.organisation_id} ({self.status})"
