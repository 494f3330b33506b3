"""Small helpers every app's views use to show a service's ValidationError on a form or as
messages, naming the field by its label; and the number fields every form uses (decimal
commas in, no "1137500.0" or "0.0225" out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.functional import Promise


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the form fields they name (the rest on the form)."""
    for field, errs in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errs)


def messages_from_errors(request, form, errors: Mapping[str, Sequence[str]]) -> None:
    """One error message per field, named by the field's label."""
    for field, errs in errors.items():
        label = form.fields[field].label if field in form.fields else field
        messages.error(request, f"{label}: {' '.join(str(e) for e in errs)}")


def error_text(error: ValidationError) -> str:
    """A service's errors as one sentence for a message."""
    if hasattr(error, "error_dict"):
        return " ".join(str(m) for msgs in error.message_dict.values() for m in msgs)
    return " ".join(error.messages)


def parse_number(text: str) -> str:
    """A number as people type it, in either language, to Python's notation: "1.137.500,5",
    "1 137 500,5", "2,25" and "2.25" all read the way they are meant. The active language's
    decimal separator decides a lone comma or point; with both, the last one is the
    decimal separator; a point followed by exactly three digits in Dutch groups thousands
    only when there is more than one ("1.137.500"), so a machine's "2.5" still reads 2.5."""
    s = "".join(text.split()).replace("\u2009", "").replace("\u202f", "")
    if "," in s and "." in s:
        decimal = "," if s.rfind(",") > s.rfind(".") else "."
        group = "." if decimal == "," else ","
        return s.replace(group, "").replace(decimal, ".")
    if "," in s:
        if s.count(",") > 1 or get_format("DECIMAL_SEPARATOR") != ",":
            return s.replace(",", "") if s.count(",") > 1 else s.replace(",", ".")
        return s.replace(",", ".")
    if s.count(".") > 1:
        return s.replace(".", "")
    return s


def format_input(value: object) -> str:
    """A number as an input shows it: the language's decimal separator, no grouping, no
    trailing zeros (1137500.0 -> "1137500", 0.5 -> "0,5"); other values unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value  # type: ignore[return-value]
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


class _LocalNumber:
    """Reads decimal commas (Dutch) or points (English), shows a value without
    "1137500.0": a text input with the decimal keyboard on phones."""

    widget = forms.TextInput

    def __init__(self, *args, unit: str | Promise = "", **kwargs) -> None:
        self.unit = unit
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)  # type: ignore[misc]
        attrs.pop("step", None)
        attrs.setdefault("inputmode", "decimal")
        return attrs

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            value = parse_number(value)
        return super().to_python(value)  # type: ignore[misc]

    def prepare_value(self, value):
        return format_input(value)


class NumberField(_LocalNumber, forms.FloatField):
    """A float typed and shown the language's way (`unit`: shown beside the input)."""


class DecimalNumberField(_LocalNumber, forms.DecimalField):
    """A decimal typed and shown the language's way (`unit`: shown beside the input)."""


class PercentField(NumberField):
    """A share typed and shown as a percentage ("2,25" for 0.0225); `min_value` and
    `max_value` in percent, the cleaned value a fraction."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("unit", "%")
        super().__init__(*args, **kwargs)

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else percent / 100

    def prepare_value(self, value):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return format_input(round(float(value) * 100, 10))
        return value
