"""A NUL character in a query string is a 400 on every page and endpoint, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/assets/?q=%00", "/supply/?product_group=a%00b", "/?x=%00"])
def test_a_page_answers_400(client, chain, url):
    client.force_login(chain.owner_user)
    assert client.get(url).status_code == 400


def test_the_api_answers_400_problem(anon):
    r = anon.get("/api/v1/supply?product_group=a%00b")
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
