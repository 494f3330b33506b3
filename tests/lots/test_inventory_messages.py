"""Import issues in the interface's language: one message per engine code, Dutch by default."""

import re

import pytest
from django.utils import translation

from urbanmine.engine.inventory import ISSUE_TEMPLATES, InventoryIssue
from urbanmine.lots.inventory_messages import MESSAGES, issue_text

PLACEHOLDER = re.compile(r"%\((\w+)\)")


def test_every_engine_code_has_a_message_with_the_same_english_text():
    assert set(MESSAGES) == set(ISSUE_TEMPLATES)
    with translation.override("en"):
        for code, template in ISSUE_TEMPLATES.items():
            assert str(MESSAGES[code]) == template, code


@pytest.mark.parametrize("code", sorted(ISSUE_TEMPLATES))
def test_the_dutch_message_is_translated_and_keeps_the_placeholders(code):
    with translation.override("nl"):
        dutch = str(MESSAGES[code])
    assert dutch != ISSUE_TEMPLATES[code], f"{code} is not translated"
    assert set(PLACEHOLDER.findall(dutch)) == set(PLACEHOLDER.findall(ISSUE_TEMPLATES[code]))


def test_issue_text_falls_back_to_the_engine_reason_without_a_code():
    issue = InventoryIssue(4, "quantity", "the storage failed")
    assert issue_text(issue) == "the storage failed"


def test_the_import_page_lists_errors_in_dutch(client, chain):
    client.force_login(chain.owner_user)
    client.cookies["django_language"] = "nl"
    content = "product_group;quantity;unit;mass_kg_per_unit;quality\nbricks-clay;-3;stuks;2,1;Z\n"
    upload = {"file": ("inventaris.csv", content.encode())}
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        f"/assets/{chain.building.pk}/import/",
        {"file": SimpleUploadedFile(*upload["file"], content_type="text/csv")},
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "de hoeveelheid moet groter zijn dan nul" in body
    assert "de kwaliteit moet A, B of C zijn" in body
    assert "quantity must be more than zero" not in body
