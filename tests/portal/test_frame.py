"""The page frame (issue #15): skip link, menu button, account menu, error summary, Dutch error
pages in the same layout, the information pages, and the admin's branding."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import sign_in


def _go(page, path):
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_keyboard_reaches_the_content_and_the_phone_menu_opens(chain, page):
    _go(page, "/supply/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "utrecht-skip-link" in focused
    assert page.is_visible(".utrecht-skip-link")  # visible once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # a phone: the menu hides behind its button, which opens it by keyboard
    page.set_viewport_size({"width": 390, "height": 844})
    _go(page, "/supply/")
    assert not page.is_visible("#site-menu")
    button = page.locator(".menu-button")
    assert button.get_attribute("aria-expanded") == "false"
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert page.is_visible("#site-menu a[href='/dashboard/']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the current section is marked for assistive technology
    assert page.get_attribute("#site-menu a[href='/supply/']", "aria-current") == "page"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_account_menu_opens_by_keyboard_and_signs_out(chain, page):
    sign_in(page, "owner")
    summary = page.locator(".account-menu summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.is_visible(".account-menu a[href='/accounts/password/']")
    page.click(".account-menu button.link")
    page.wait_for_load_state("networkidle")
    assert page.is_visible(".site-header a[href='/accounts/login/']")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_form_with_errors_gets_a_summary_linking_to_the_field(chain, page):
    sign_in(page, "owner")
    _go(page, "/webhooks/")
    page.fill("#id_url", "http://intern")
    page.locator("form:has(#id_url) button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.className") == "error-summary"
    link = summary.locator("a[href='#id_url']")
    assert link.count() == 1
    # the field names its error for a screen reader
    described = page.get_attribute("#id_url", "aria-describedby") or ""
    assert "id_url_error" in described
    assert page.get_attribute("#id_url", "aria-invalid") == "true"


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_error_pages_are_dutch_in_the_frame(client):
    r = client.get("/does-not-exist/", HTTP_ACCEPT_LANGUAGE="nl")
    assert r.status_code == 404
    page = r.content.decode()
    assert "Pagina niet gevonden" in page and 'class="site-header"' in page
    assert "Not Found" not in page
    r = client.get("/dashboard/scenarios/new/", HTTP_ACCEPT_LANGUAGE="nl")
    assert r.status_code in (302, 403)


@pytest.mark.django_db
def test_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    r = server_error(rf.get("/"))
    page = r.content.decode()
    assert r.status_code == 500
    assert "site-header" in page and "500" in page


@pytest.mark.django_db
def test_csrf_failure_page_is_in_the_frame(chain):
    c = Client(enforce_csrf_checks=True)
    c.force_login(chain.owner_user)
    r = c.post("/webhooks/", {"url": "https://example.org/h"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert r.status_code == 403
    page = r.content.decode()
    assert "Formulier verlopen" in page and "site-footer" in page


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["about", "contact", "privacy", "accessibility"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_information_pages_exist_in_both_languages_and_are_linked_from_every_page(
    client, name, lang
):
    r = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 200
    assert r.content.decode().count("<h1>") == 1
    home = client.get("/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'href="{reverse(name)}"' in home


@pytest.mark.django_db
def test_contact_page_shows_the_configured_address(client, settings):
    settings.URBANMINE_CONTACT_EMAIL = "urbanmine@pzh.example"
    page = client.get("/contact/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'href="mailto:urbanmine@pzh.example"' in page
    settings.URBANMINE_CONTACT_EMAIL = ""
    page = client.get("/contact/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "URBANMINE_CONTACT_EMAIL" in page and "mailto:" not in page


@pytest.mark.django_db
def test_breadcrumbs_lead_back_up_without_a_query(client, django_assert_max_num_queries):
    from urbanmine.core.breadcrumbs import trail

    crumbs = trail("lot-step", {"code": "D-0000001", "step": "harvest"})
    assert [href for _label, href in crumbs] == ["/", "/supply/", "/lots/D-0000001/"]
    assert trail("home", {}) == []
    assert [h for _l, h in trail("hub-settings", {"pk": 3})] == ["/", "/hubs/", "/hubs/3/"]


@pytest.mark.django_db
def test_admin_carries_the_platform_name(admin_client):
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert (
        "urbanmine" in page and "Django-beheer" not in page and "Django administration" not in page
    )
    assert "urbanmine/admin.css" in page
