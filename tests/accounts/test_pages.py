"""The account pages are reachable from the user menu, and the steward's admin shows the
keys (never the key itself) and can revoke them."""

from django.test import Client

from urbanmine.accounts.models import ApiToken
from urbanmine.accounts.services import api_token_issue


def test_the_user_menu_links_the_account_pages(client, chain):
    assert "/accounts/tokens/" not in client.get("/").content.decode()
    client.force_login(chain.owner_user)
    page = client.get("/").content.decode()
    for url in ("/accounts/password/", "/accounts/tokens/", "/accounts/two-factor/"):
        assert f'href="{url}"' in page, url


def test_the_admin_lists_and_revokes_keys(chain, staff):
    token, key = api_token_issue(user=chain.owner_user, name="ERP", days=30)
    client = Client()
    client.force_login(staff)
    r = client.get("/admin/accounts/apitoken/")
    assert r.status_code == 200
    page = r.content.decode()
    assert token.prefix in page and key not in page
    r = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert r.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    # DRF's own token screen is gone: its keys would no longer work
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
