"""Who may change forecast scenarios and run forecasts. Reading the dashboard, scenarios and
their results is public: they are aggregates, not personal or commercial data."""

from __future__ import annotations

from urbanmine.organisations.membership import user_is_platform_wide


def scenario_may_edit(user) -> bool:
    """The province (matchmaker / platform manager role, or staff) edits scenarios."""
    return user_is_platform_wide(user)


def forecast_may_run(user) -> bool:
    return scenario_may_edit(user)


def forecast_may_cancel(user, result) -> bool:
    """The one who started a forecast, or whoever may run forecasts, may stop it."""
    if not (user and user.is_authenticated):
        return False
    return (
        result.started_by_id is not None and result.started_by_id == user.id
    ) or forecast_may_run(user)
