"""Who may see and change a hub. Views, API and services ask these.

Hubs are public to signed-in users (their capacity and fill level are what the chain plans
with); a hub's *stock* shows each viewer only the lots they may see (lots.selectors).
"""

from __future__ import annotations

from urbanmine.organisations.membership import user_organisation_ids

from .models import Hub


def hub_may_view(user, hub: Hub) -> bool:
    return bool(user and user.is_authenticated)


def hub_may_change(user, hub: Hub) -> bool:
    """Only the operator changes a hub's settings and merges the lots it holds."""
    return hub.operator_id in user_organisation_ids(user)


def hub_takes_in_from(hub: Hub, organisation_id: int) -> bool:
    """A hub closed to deliveries takes in lots from its operator only."""
    return hub.open_to_deliveries or organisation_id == hub.operator_id
