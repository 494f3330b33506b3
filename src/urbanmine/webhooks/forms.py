from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EventType


class SubscriptionForm(forms.Form):
    url = forms.URLField(label=_("URL of your receiver"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
