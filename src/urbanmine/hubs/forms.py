from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from urbanmine.core.forms import DecimalNumberField

from .models import Hub


class HubSettingsForm(forms.Form):
    """The operator's settings; the ranges are checked by `services.hub_settings_update`,
    the same for the web and the API."""

    # The model's field names, so the labels and their translations stay the same.
    capacity_t = DecimalNumberField(
        label=capfirst(_("capacity (t)")), max_digits=12, decimal_places=3
    )
    capacity_m2 = DecimalNumberField(
        label=capfirst(_("capacity (m²)")), max_digits=10, decimal_places=1
    )
    max_dwell_days = forms.IntegerField(label=capfirst(_("maximum dwell time (days)")))
    open_to_deliveries = forms.BooleanField(
        label=capfirst(_("takes in lots from other organisations")), required=False
    )

    @classmethod
    def for_hub(cls, hub: Hub, data=None) -> "HubSettingsForm":
        initial = {
            "capacity_t": hub.capacity_t,
            "capacity_m2": hub.capacity_m2,
            "max_dwell_days": hub.max_dwell_days,
            "open_to_deliveries": hub.open_to_deliveries,
        }
        return cls(data, initial=initial)
