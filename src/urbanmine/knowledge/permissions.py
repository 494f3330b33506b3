"""Who may see and change the knowledge base. The facilitator is the province: members of an
organisation holding the matchmaker role, and the data steward (staff) —
`user_is_platform_wide`. Members (anyone acting for an organisation) write; the facilitator
reviews and publishes; anonymous visitors see only what is published."""

from __future__ import annotations

from django.db.models import Q

from urbanmine.organisations.membership import user_is_platform_wide, user_organisation_ids

from .models import ExampleProject, ItemStatus, KnowledgeItem

EDITABLE_BY_AUTHOR = (ItemStatus.DRAFT, ItemStatus.RETURNED, ItemStatus.SUBMITTED)


def is_facilitator(user) -> bool:
    return user_is_platform_wide(user)


def is_member(user) -> bool:
    """Acts for an organisation (or is the facilitator)."""
    return bool(user_organisation_ids(user)) or is_facilitator(user)


def items_visible_filter(user) -> Q:
    """Published items; and the author's own, their organisation's and (for the
    facilitator) every item."""
    if is_facilitator(user):
        return Q()
    q = Q(status=ItemStatus.PUBLISHED)
    if user is not None and user.is_authenticated:
        q |= Q(author=user) | Q(organisation_id__in=user_organisation_ids(user))
    return q


def item_may_view(user, item: KnowledgeItem) -> bool:
    if item.status == ItemStatus.PUBLISHED or is_facilitator(user):
        return True
    return bool(
        user is not None
        and user.is_authenticated
        and (item.author_id == user.pk or item.organisation_id in user_organisation_ids(user))
    )


def item_may_edit(user, item: KnowledgeItem) -> bool:
    """The facilitator always; the author and their organisation until it is published."""
    if is_facilitator(user):
        return True
    if item.status not in EDITABLE_BY_AUTHOR or not is_member(user):
        return False
    return item.author_id == user.pk or item.organisation_id in user_organisation_ids(user)


def item_may_review(user) -> bool:
    return is_facilitator(user)


def step_plan_may_edit(user) -> bool:
    return is_facilitator(user)


def barrier_may_edit(user) -> bool:
    return is_facilitator(user)


def barrier_may_comment(user) -> bool:
    return is_member(user)


def example_projects_visible_filter(user) -> Q:
    """Public ones; and those with an asset of the user's organisation; the facilitator all."""
    if is_facilitator(user):
        return Q()
    q = Q(is_public=True)
    ids = user_organisation_ids(user)
    if ids:
        q |= Q(assets__owner_id__in=ids)
    return q


def example_project_may_view(user, project: ExampleProject) -> bool:
    return (
        ExampleProject.objects.filter(example_projects_visible_filter(user), pk=project.pk)
        .distinct()
        .exists()
    )


def example_project_may_manage(user) -> bool:
    return is_facilitator(user)
