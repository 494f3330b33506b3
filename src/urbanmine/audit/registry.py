"""Which models the audit log follows (django-auditlog), and which of their fields.

Every write-worthy model of the registry is followed: who registered or changed an asset, a
planned intervention, a hub's settings, a demand, an organisation and its memberships and
roles, a scenario; a proposal's acceptance; a lot's descriptive fields. What lifecycle
events already record for good (status, custodian, place, quantity of a lot) is left out of
the lot's entries: the history is the record there.

Passwords, sign-in times and keys never enter the log: the user model is followed without
`password` and `last_login`, and no key or token model is registered.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.contrib.auth import get_user_model

from urbanmine.assets.models import Asset, PlannedIntervention
from urbanmine.hubs.models import Hub
from urbanmine.insight.models import Scenario
from urbanmine.lots.models import Lot
from urbanmine.market.models import DemandRequest, Proposal
from urbanmine.network import models as network
from urbanmine.organisations.models import Membership, Organisation, OrganisationRole

#: fields of the user row the log never holds
USER_EXCLUDED = ["password", "last_login"]
#: a lot's fields the lifecycle events record already (lots/services.py writes them per step)
LOT_BY_EVENTS = [
    "status",
    "status_since",
    "hub",
    "hub_since",
    "custodian",
    "owner",
    "location",
    "quantity",
    "applied_asset",
    "is_published",  # follows from the steps (offered at a hub, reserved, ...)
    "created_at",
]
#: what changes on a proposal after the matching run stored it: its outcome
PROPOSAL_OUTCOME = ["status", "stale_reason", "accepted_by", "accepted_at", "reservation"]


def register_models() -> None:
    """Register the followed models once (idempotent: `ready()` may run twice in tests)."""
    user_model = get_user_model()
    plan: list[tuple[type, list[str], dict]] = [
        (Asset, ["created_at"], {}),
        (PlannedIntervention, [], {}),
        (Hub, [], {"m2m_fields": {"accepted_product_groups"}}),
        (DemandRequest, ["created_at"], {}),
        (Proposal, [], {"include_fields": PROPOSAL_OUTCOME}),
        (Organisation, [], {}),
        (OrganisationRole, [], {}),
        (Membership, [], {}),
        (Scenario, ["created_at", "updated_at"], {}),
        (Lot, LOT_BY_EVENTS, {}),
        # the network (issue #18): who decided on a request to join, changed an entry,
        # recorded a covenant, committed to it, set a target
        (network.DirectoryEntry, [], {"m2m_fields": {"municipalities_served", "product_groups"}}),
        (network.Certification, [], {}),
        (network.Covenant, [], {}),
        (network.Commitment, [], {}),
        (network.RegionalTarget, [], {}),
        (user_model, USER_EXCLUDED, {}),
    ]
    for model, excluded, options in plan:
        if not auditlog.contains(model):
            options.setdefault("include_fields", own_fields(model, excluded))
            auditlog.register(model, **options)
    pre_log.connect(_skip_lot_creation, sender=Lot, dispatch_uid="audit-skip-lot-creation")


def own_fields(model, excluded: list[str]) -> list[str]:
    """The model's own columns but its id: auditlog would otherwise list every reverse
    relation (`lots: lots.Lot.None`) in a creation entry."""
    return [
        f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in excluded
    ]


def _skip_lot_creation(sender, instance, action, **kwargs) -> bool:
    """A lot's creation is its identification event already; an inventory import of
    100,000 lines would otherwise write as many log entries."""
    return action != LogEntry.Action.CREATE


def followed_models() -> list[type]:
    """The models the log follows, for the page's filter."""
    return list(auditlog.get_models())
