"""Small helpers every app's views use to show a service's ValidationError on a form or as
messages, naming the field by its label."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.core.exceptions import ValidationError


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
