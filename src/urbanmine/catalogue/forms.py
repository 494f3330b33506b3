"""The product-group dropdown every form uses: sorted by the name people read (Dutch or
English), each group with its unit, so a quantity's unit is never a guess."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import get_language

from urbanmine.core.formatting import sort_key

from .models import ProductGroup, Unit

UNIT_LABELS = dict(Unit.choices)


def unit_label(code: str) -> str:
    """A unit code in words of the active language: "piece" -> "stuk", "m2" -> "m²"."""
    return str(UNIT_LABELS.get(code, code))


class _ByName(ModelChoiceIterator):
    """The choices in the order of their names in the active language (lazily, per render)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        name = "name_en" if (get_language() or "nl").startswith("en") else "name_nl"
        for group in sorted(self.queryset, key=lambda g: sort_key(getattr(g, name))):
            yield self.choice(group)


class ProductGroupField(forms.ModelChoiceField):
    """Product groups by their code, listed by name in the active language ("Asfaltgranulaat,
    Bakstenen, Betongranulaat, …"), each shown as "name (unit)"."""

    iterator = _ByName

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("queryset", ProductGroup.objects.all())
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: ProductGroup) -> str:
        return f"{obj.name} ({unit_label(obj.unit)})"
