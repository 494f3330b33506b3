"""The audit log's filters."""

from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .registry import followed_models
from .selectors import action_labels


def object_type_choices() -> list[tuple[str, str]]:
    types = ContentType.objects.get_for_models(*followed_models())
    choices = [
        (str(ct.pk), str(model._meta.verbose_name).capitalize()) for model, ct in types.items()
    ]
    return [("", str(_("all")))] + sorted(choices, key=lambda c: c[1])


class AuditFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Object type"), required=False)
    actor = forms.CharField(label=_("By (username)"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
    )
    date_from = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Object"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = object_type_choices()
        self.fields["action"].choices = [("", _("all"))] + [
            (str(value), label) for value, label in action_labels().items()
        ]

    def filters(self) -> dict:
        """The selector's keywords from the valid fields (an invalid one filters nothing)."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "content_type_id": int(data["type"]) if data.get("type") else None,
            "actor": (data.get("actor") or "").strip(),
            "action": int(data["action"]) if data.get("action") not in (None, "") else None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "q": (data.get("q") or "").strip(),
        }
