"""One number format for the dashboard (core/formatting.py): thousands and decimals in
Dutch and English, and the "28,624,7" of issue #12 gone."""

import pytest
from django.template import Context, Template
from django.utils import translation

from urbanmine.core.formatting import format_number, format_percent


@pytest.mark.parametrize(
    ("value", "digits", "nl", "en"),
    [
        (28624.7, 1, "28.624,7", "28,624.7"),
        (28624.66, 1, "28.624,7", "28,624.7"),
        (4550, 0, "4.550", "4,550"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (999.5, 0, "1.000", "1,000"),
        (0.04, 1, "0,0", "0.0"),
        (-0.04, 1, "0,0", "0.0"),  # no "-0,0"
        (-12345.25, 1, "-12.345,2", "-12,345.2"),  # round half to even, as Python
        (7, 0, "7", "7"),
    ],
)
def test_thousands_and_decimals(value, digits, nl, en):
    with translation.override("nl"):
        assert format_number(value, digits) == nl
    with translation.override("en"):
        assert format_number(value, digits) == en


def test_empty_and_not_a_number():
    assert format_number(None) == "" and format_number("") == ""
    assert format_number("abc") == "–" and format_number(float("nan")) == "–"
    assert format_number(float("inf"), 1) == "–"


def test_percent():
    with translation.override("nl"):
        assert format_percent(0.12198, 1) == "12,2%"
        assert format_percent(0.35, 0) == "35%"
    with translation.override("en"):
        assert format_percent(12.5, 1) == "1,250.0%"


def test_template_filters_use_the_one_helper():
    t = Template("{% load insight_tags %}{{ a|num:1 }}|{{ b|kg_to_t }}|{{ c|pct }}")
    with translation.override("nl"):
        assert (
            t.render(Context({"a": 28624.7, "b": 1234567, "c": 0.043})) == "28.624,7|1.234,6|4,3%"
        )
