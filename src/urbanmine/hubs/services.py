"""Writes on hubs and the hub's own rules: its settings and whether it takes in a lot.

Both the web form and the API change settings through `hub_settings_update`, so the same
ranges hold everywhere. Moving a lot into a hub is a lifecycle step (`lots.steps`); the hub
decides here whether it takes the lot in.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Hub
from .permissions import hub_may_change, hub_takes_in_from

MAX_DWELL_DAYS_LIMIT = 3650
MAX_CAPACITY_T = Decimal("100000000")  # far above any hub; keeps sums finite

#: kg a hub holds now, provided by the lots app at start-up (lots/apps.py): the layer
#: above owns the lots, this one only the rule.
_held_mass: Callable[[Hub], Decimal] | None = None


def register_held_mass(provider: Callable[[Hub], Decimal]) -> None:
    global _held_mass
    _held_mass = provider


def _check_capacity_holds_stock(hub: Hub, capacity_t: Decimal) -> None:
    """A capacity below what the hub holds would leave it over capacity unnoticed: refused,
    naming the stock (move or sell lots first)."""
    if _held_mass is None:
        return
    held_kg = _held_mass(hub)
    if capacity_t * 1000 < held_kg:
        raise ValidationError(
            {
                "capacity_t": _(
                    "The hub holds %(held).1f t now: a capacity of %(cap).1f t is below its "
                    "stock. Move or sell lots first, or choose at least %(held).1f t."
                )
                % {"held": held_kg / 1000, "cap": capacity_t}
            }
        )


def _check_settings(
    *,
    capacity_t: Decimal | None,
    capacity_m2: Decimal | None,
    max_dwell_days: int | None,
) -> None:
    errors: dict[str, str] = {}
    if capacity_t is not None and not Decimal(0) <= capacity_t <= MAX_CAPACITY_T:
        errors["capacity_t"] = _("The capacity must lie between 0 and %(max)s t.") % {
            "max": f"{MAX_CAPACITY_T:,.0f}"
        }
    if capacity_m2 is not None and capacity_m2 < 0:
        errors["capacity_m2"] = _("The area cannot be negative.")
    if max_dwell_days is not None and not 1 <= max_dwell_days <= MAX_DWELL_DAYS_LIMIT:
        errors["max_dwell_days"] = _(
            "The maximum dwell time must lie between 1 and %(max)d days."
        ) % {"max": MAX_DWELL_DAYS_LIMIT}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def hub_settings_update(
    *,
    hub: Hub,
    actor,
    capacity_t: Decimal | None = None,
    capacity_m2: Decimal | None = None,
    max_dwell_days: int | None = None,
    open_to_deliveries: bool | None = None,
) -> Hub:
    """The operator changes capacity, maximum dwell time and whether others may deliver;
    a value left None stays as it is."""
    if not hub_may_change(actor, hub):
        raise PermissionDenied(_("Only the hub's operator changes its settings."))
    _check_settings(capacity_t=capacity_t, capacity_m2=capacity_m2, max_dwell_days=max_dwell_days)
    if capacity_t is not None and capacity_t < hub.capacity_t:
        hub_lock(hub)  # an intake at the same moment is checked against the new capacity
        _check_capacity_holds_stock(hub, capacity_t)
    changes = {
        "capacity_t": capacity_t,
        "capacity_m2": capacity_m2,
        "max_dwell_days": max_dwell_days,
        "open_to_deliveries": open_to_deliveries,
    }
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(hub, name, changes[name])
    if fields:
        with set_actor(actor):  # the audit log names who changed the settings
            hub.save(update_fields=fields)
    return hub


def hub_lock(hub: Hub) -> None:
    """Lock the hub row, so two intakes at the same moment are checked one after the other
    (the second sees the first's lot)."""
    Hub.objects.select_for_update().filter(pk=hub.pk).first()


def hub_intake_check(
    *, hub: Hub, organisation, product_group, incoming_kg: Decimal, held_kg: Decimal
) -> None:
    """The hub's intake rule: consent, acceptance of the product group, capacity.
    Call with the hub locked (`hub_lock`) and `held_kg` read after the lock."""
    if not hub_takes_in_from(hub, organisation.id):
        raise ValidationError(
            {
                "hub": _("%(hub)s takes in lots from its operator (%(op)s) only.")
                % {"hub": hub, "op": hub.operator}
            }
        )
    if not hub.accepts(product_group):
        raise ValidationError(
            {"hub": _("%(hub)s does not accept %(group)s.") % {"hub": hub, "group": product_group}}
        )
    capacity_kg = hub.capacity_t * 1000
    if held_kg + incoming_kg > capacity_kg:
        raise ValidationError(
            {
                "hub": _(
                    "%(hub)s is full: %(held).1f t held + %(inc).1f t incoming exceeds its capacity of %(cap).1f t."
                )
                % {
                    "hub": hub,
                    "held": held_kg / 1000,
                    "inc": incoming_kg / 1000,
                    "cap": hub.capacity_t,
                }
            }
        )
