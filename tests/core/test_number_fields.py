"""Numbers as people type and read them (issue #15): decimal commas in, no "1137500.0" or
"0.0225" out, one date style, lists sorted by their label."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.utils import translation

from urbanmine.core.formatting import format_date, format_datetime, format_quantity, sort_key
from urbanmine.core.forms import DecimalNumberField, NumberField, PercentField, parse_number


@pytest.mark.parametrize(
    "typed,nl,en",
    [
        ("2,25", "2.25", "2.25"),
        ("2.25", "2.25", "2.25"),  # a machine's decimal point still reads as one
        ("1.137.500", "1137500", "1137500"),
        ("1.137.500,5", "1137500.5", "1137500.5"),
        ("1,137,500.5", "1137500.5", "1137500.5"),
        (" 1 137 500 ", "1137500", "1137500"),
        ("-3,5", "-3.5", "-3.5"),
    ],
)
def test_parse_number_reads_both_languages(typed, nl, en):
    with translation.override("nl"):
        assert parse_number(typed) == nl
    with translation.override("en"):
        assert parse_number(typed) == en


class _Form(forms.Form):
    amount = NumberField(label="Bedrag", min_value=0)
    mass = DecimalNumberField(label="Massa", decimal_places=3, required=False)
    rate = PercentField(label="Discontovoet", min_value=0, max_value=20, required=False)


def test_number_fields_read_decimal_commas_and_show_them_back():
    with translation.override("nl"):
        form = _Form({"amount": "1.137.500,5", "mass": "12,5", "rate": "2,25"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["amount"] == 1137500.5
        assert form.cleaned_data["mass"] == Decimal("12.5")
        assert form.cleaned_data["rate"] == pytest.approx(0.0225)
        shown = str(_Form(initial={"amount": 1137500.0, "rate": 0.0225})["amount"])
        assert 'value="1137500"' in shown and 'inputmode="decimal"' in shown
        assert 'type="text"' in shown  # a number input would refuse the comma
        assert 'value="2,25"' in str(_Form(initial={"rate": 0.0225})["rate"])
    with translation.override("en"):
        assert 'value="2.25"' in str(_Form(initial={"rate": 0.0225})["rate"])


def test_number_fields_refuse_nonsense_in_dutch_and_check_percent_bounds():
    with translation.override("nl"):
        form = _Form({"amount": "veel", "rate": "25"})
        assert not form.is_valid()
        assert form.errors["amount"] == ["Voer een getal in."]
        assert "20" in form.errors["rate"][0]  # the bound in percent, as typed


def test_quantities_dates_and_sorting_the_dutch_way():
    with translation.override("nl"):
        assert format_quantity(Decimal("12.500")) == "12,5"
        assert format_quantity(Decimal("10000")) == "10.000"
        assert format_date(date(2026, 11, 30)) == "30 november 2026"
        moment = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
        assert format_datetime(moment) == "1 december 2026 00:30"  # local time, Amsterdam
        assert format_date(moment) == "1 december 2026"
    with translation.override("en"):
        assert format_date(date(2026, 11, 30)) == "Nov. 30, 2026"
    names = ["Zoetermeer", "'s-Gravenhage", "alphen aan den Rijn", "Delft"]
    assert sorted(names, key=sort_key) == [
        "alphen aan den Rijn",
        "Delft",
        "'s-Gravenhage",
        "Zoetermeer",
    ]
