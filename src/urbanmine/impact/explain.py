"""The Top 10 explanation in the active language, from the parts the engine ranks by."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urbanmine.catalogue.models import material_label
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
