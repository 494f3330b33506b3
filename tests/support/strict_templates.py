"""Make a missing template variable fail loudly — in `{{ }}`, `{% if %}` and `{% for %}` alike.

Django renders a missing variable as "" and turns `{% for x in missing %}` into an empty loop,
so a view that forgets to pass a name silently hides part of a page (the Top 10 weights, the
reuse-or-new warnings). Inside `strict_templates()` every lookup in one of our templates is
checked:

- the first name of a lookup (`weight_rows` in `weight_rows.0`) must be in the context;
- each further part must exist on the object it is looked up on (`lot.hubb` is an error),
  except on None or "" (`p.hub.name|default:"direct"` with no hub is a legitimate idiom).

Violations are collected per template and raised at the end (or read from `.violations`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.template import base as template_base

import urbanmine

PACKAGE_DIR = str(Path(urbanmine.__file__).resolve().parent)


@dataclass
class Violation:
    template: str
    lookup: str
    reason: str

    def __str__(self) -> str:
        return f"{self.template}: {{{{ {self.lookup} }}}} {self.reason}"


@dataclass
class StrictTemplates:
    violations: list[Violation] = field(default_factory=list)

    def check(self) -> None:
        if self.violations:
            unique = sorted({str(v) for v in self.violations})
            raise AssertionError("template contract broken:\n  " + "\n  ".join(unique))


def _template_name(context) -> str | None:
    template = getattr(context, "template", None)
    origin = getattr(template, "origin", None)
    name = getattr(origin, "name", None)
    if not name or not str(name).startswith(PACKAGE_DIR):
        return None  # Django's own templates (admin, form widgets) are not our contract
    return str(name)[len(PACKAGE_DIR) + 1 :]


_MISSING = object()


def _part(obj, bit: str):
    """Django's lookup order (dictionary key, attribute, list index), then call callables
    as templates do; _MISSING when the part does not exist."""
    try:
        value = obj[bit]
    except (TypeError, AttributeError, KeyError, ValueError, IndexError):
        value = getattr(obj, bit, _MISSING)
        if value is _MISSING:
            try:
                value = obj[int(bit)]
            except (IndexError, ValueError, KeyError, TypeError, AttributeError):
                return _MISSING
    if callable(value) and not getattr(value, "do_not_call_in_templates", False):
        if getattr(value, "alters_data", False):
            return None
        try:
            value = value()
        except TypeError:
            return None  # needs arguments: Django renders string_if_invalid, not our concern
    return value


def _diagnose(variable, context) -> str | None:
    """Why a failed lookup breaks the contract, or None when it is a legitimate miss."""
    bits = variable.lookups
    if bits[0] not in context:
        return "is not in the context"
    current = context[bits[0]]
    for bit in bits[1:]:
        if current is None or current == "":
            return None
        value = _part(current, bit)
        if value is _MISSING:
            return f"has no part {bit!r} on {type(current).__name__}"
        current = value
    return None


@contextmanager
def strict_templates() -> Iterator[StrictTemplates]:
    """Record every contract violation while the block renders pages."""
    state = StrictTemplates()
    original = template_base.Variable._resolve_lookup

    def checked(self, context):
        try:
            return original(self, context)
        except template_base.VariableDoesNotExist:
            name = _template_name(context)
            if name is not None:
                reason = _diagnose(self, context)
                if reason is not None:
                    state.violations.append(Violation(name, self.var, reason))
            raise

    template_base.Variable._resolve_lookup = checked
    try:
        yield state
    finally:
        template_base.Variable._resolve_lookup = original
