"""The engine's results in the active language, composed from their parts: the Top 10
explanation and the reuse-or-new verdict, its lines and their sources."""

import re
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urbanmine.catalogue.models import material_label
from urbanmine.core.formatting import format_number
from urbanmine.engine.impact import Comparison
from urbanmine.engine.ranking import RankedGroup

EASE_NOTES = {
    "standardised": gettext_lazy("standardised"),
    "detachable": gettext_lazy("detachable"),
    "little_testing": gettext_lazy("little testing"),
    "established_market": gettext_lazy("established market"),
    "not_standardised": gettext_lazy("not standardised"),
    "hard_to_detach": gettext_lazy("hard to detach"),
    "needs_testing": gettext_lazy("needs testing/certification"),
    "small_market": gettext_lazy("small market"),
}
IMPACT = {
    "high": gettext_lazy("High CO2 gain"),
    "medium": gettext_lazy("Medium CO2 gain"),
    "low": gettext_lazy("Low CO2 gain"),
}
EASE = {
    "easy": gettext_lazy("easy to process"),
    "moderate": gettext_lazy("moderate to process"),
    "hard": gettext_lazy("hard to process"),
}

FACTOR_STATUS = {"cited": gettext_lazy("cited"), "estimate": gettext_lazy("estimate")}


def factor_status(status: str) -> str:
    """A factor row's status in the active language (cited source or estimate)."""
    return str(FACTOR_STATUS.get(status, status))


def _n(x: float, decimals: int) -> str:
    """Localised, rounded like the engine's f-strings (half to even)."""
    rounded = Decimal(f"{x:.{decimals}f}")
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def explanation(r: RankedGroup) -> str:
    """Why a group ranks where it does: CO2 gain (with its source) and ease of processing."""
    basis = {
        "gain": _n(r.gain_kg_per_t, 0),
        "material": material_label(r.material),
        "source": r.source_label or _("no source"),
        "estimate": _(", estimate") if r.status != "cited" else "",
    }
    if r.flagged:
        gain = (
            _(
                "No CO2 gain: reuse processing exceeds virgin (%(gain)s kg/t: %(material)s, "
                "%(source)s%(estimate)s)"
            )
            % basis
        )
    else:
        gain = _(
            "%(level)s (%(gain)s kg/t: %(material)s, %(source)s%(estimate)s; potential "
            "%(potential)s kg/m2 of stock)"
        ) % {**basis, "level": IMPACT[r.impact_level], "potential": _n(r.potential_kg_per_m2, 1)}
    notes = ", ".join(str(EASE_NOTES[k]) for k in r.ease_notes) or _("average on all criteria")
    return _("%(gain)s and %(ease)s (%(notes)s)") % {
        "gain": gain,
        "ease": EASE[r.ease_level],
        "notes": notes,
    }


# ------------------------------------------------------------------ the reuse-or-new tool
VERDICTS = {
    "reuse": gettext_lazy("Reuse: lower CO2 and lower TCO"),
    "reuse_lower_co2_higher_cost": gettext_lazy("Reuse saves CO2 but costs more"),
    "new_lower_co2_reuse_cheaper": gettext_lazy("Reuse is cheaper but emits more CO2"),
    "new": gettext_lazy("New is better on CO2 and cost"),
}
LINE_NAMES = {
    "production A1-A3": gettext_lazy("production (A1–A3)"),
    "delivery transport": gettext_lazy("delivery transport"),
    "dismantling/cleaning/repair": gettext_lazy("dismantling, cleaning and repair"),
    "transport": gettext_lazy("transport"),
    "replacement after remaining life": gettext_lazy("replacement after the remaining life"),
    "price": gettext_lazy("price"),
    "purchase": gettext_lazy("purchase"),
    "processing": gettext_lazy("processing"),
    "testing & certification": gettext_lazy("testing and certification"),
    "storage": gettext_lazy("storage"),
    "disposal avoided": gettext_lazy("disposal avoided"),
    "residual value of replacement": gettext_lazy("residual value of the replacement"),
}
LINE_STATUS = {
    **FACTOR_STATUS,
    "input": gettext_lazy("your input"),
    "computed": gettext_lazy("computed"),
}
ASSUMPTIONS = {
    "purchase_eur_per_kg": gettext_lazy("purchase price of the reused product"),
    "storage_eur_per_t_day": gettext_lazy("storage price"),
    "quality_yield": gettext_lazy("yield per quality grade"),
    "step_shares": gettext_lazy("share of each processing step"),
}
ESTIMATE_ROW = re.compile(r"^estimate, (?P<table>.+) row (?P<group>.+)$")


def verdict_text(verdict: str) -> str:
    """The engine's verdict code as a sentence of the interface."""
    return str(VERDICTS.get(verdict, verdict))


def comparison_summary(c: Comparison) -> str:
    """The comparison in one sentence, numbers formatted the active language's way (the
    engine's own `summary` is the English text of the API and the CLI)."""
    years = format_number(c.horizon_years, 0)
    saving = c.co2_saving_kg
    co2 = {
        "kg": format_number(abs(saving)),
        "reuse": format_number(c.co2_reuse_kg),
        "new": format_number(c.co2_new_kg),
    }
    if saving >= 0:
        co2_part = _("reuse saves %(kg)s kg CO2 (%(reuse)s against %(new)s kg)") % co2
    else:
        co2_part = _("reuse emits %(kg)s kg CO2 more (%(reuse)s against %(new)s kg)") % co2
    diff = c.tco_reuse_eur - c.tco_new_eur
    cost = {
        "eur": format_number(abs(diff)),
        "years": years,
        "reuse": format_number(c.tco_reuse_eur),
        "new": format_number(c.tco_new_eur),
    }
    if diff > 0:
        cost_part = (
            _(
                "costs %(eur)s EUR more over %(years)s years of ownership "
                "(%(reuse)s against %(new)s EUR)"
            )
            % cost
        )
    else:
        cost_part = (
            _(
                "costs %(eur)s EUR less over %(years)s years of ownership "
                "(%(reuse)s against %(new)s EUR)"
            )
            % cost
        )
    return _("%(verdict)s: %(co2)s and %(cost)s.") % {
        "verdict": verdict_text(c.verdict),
        "co2": co2_part,
        "cost": cost_part,
    }


def line_rows(lines, option: str, group_name: str) -> list[dict]:
    """The traced lines of one option (reuse or new) in words of the interface: name,
    value, unit, source and status."""
    return [
        {
            "option": option,
            "name": str(LINE_NAMES.get(line.name, line.name)),
            "value": line.value,
            "digits": 0 if line.unit == "EUR" else 1,
            "unit": line.unit,
            "source": line_source(line.source, group_name),
            "status": str(LINE_STATUS.get(line.status, line.status)),
        }
        for line in lines
    ]


def line_source(source: str, group_name: str) -> str:
    """Where a number comes from, in words: a cited factor row keeps its citation; the
    platform's estimates, assumptions and inputs are said in the active language."""
    match = ESTIMATE_ROW.match(source)
    if match:
        return _("estimate in the factor table of the platform (%(group)s)") % {
            "group": group_name or match["group"]
        }
    if source == "no source":
        return _("no source")
    if source == "input":
        return str(LINE_STATUS["input"])
    if source == "assumption" or source.startswith("assumption "):
        key = source.removeprefix("assumption").strip()
        name = ASSUMPTIONS.get(key)
        return _("assumption: %(name)s") % {"name": name} if name else _("assumption")
    return source
