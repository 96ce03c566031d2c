"""The 长辈版 switch: plain links set a cookie, the page follows it at every size,
the cached public pages keep one copy per size, and the way back never leaves the site."""
import re

import pytest

from app.display import COOKIE, ELDER_SIZES


def _switch(client, choice, came_from="http://localhost/ideas/track"):
    return client.get("/display", query_string={"set": choice}, headers={"Referer": came_from})


def _classes(client, path="/ideas/track"):
    match = re.search(r'<html lang="zh-CN"(?: class="([^"]*)")?>', client.get(path).get_data(as_text=True))
    return match.group(1)


def test_the_switch_is_a_link_in_the_header_of_every_page(client, make):
    make.campaign()
    for path in ("/", "/ideas/track", "/auth/login", "/no-such-page"):
        body = client.get(path).get_data(as_text=True)
        assert 'href="/display?set=elder"' in body, path
        assert 'class="skip-link" href="#main"' in body and '<main class="wrap" id="main"' in body


def test_elder_mode_is_remembered_and_sized_from_18_to_30_points(client):
    response = _switch(client, "elder")
    assert response.status_code == 302 and response.headers["Location"] == "/ideas/track"
    cookie = client.get_cookie(COOKIE)
    assert cookie.value == "elder-1" and cookie.http_only and cookie.expires is not None
    assert _classes(client) == "elder elder-1"
    page = client.get("/ideas/track").get_data(as_text=True)
    assert "字号 18 磅" in page and "标准版" in page and "字号已最小" in page
    for _ in range(len(ELDER_SIZES) + 2):  # past the largest size it stays there
        _switch(client, "bigger")
    assert _classes(client) == f"elder elder-{len(ELDER_SIZES)}"
    page = client.get("/ideas/track").get_data(as_text=True)
    assert "字号 30 磅" in page and "字号已最大" in page
    _switch(client, "smaller")
    assert _classes(client) == "elder elder-4"
    _switch(client, "standard")
    assert _classes(client) is None
    assert "长辈版" in client.get("/ideas/track").get_data(as_text=True)


def test_bigger_from_the_standard_page_starts_the_elder_mode(client):
    _switch(client, "bigger")
    assert _classes(client) == "elder elder-2"


@pytest.mark.parametrize("value", ["elder-0", "elder-9", "elder-x", "large", ""])
def test_a_cookie_it_did_not_set_shows_the_standard_page(client, value):
    client.set_cookie(COOKIE, value)
    assert _classes(client) is None


@pytest.mark.parametrize("target", ["http://evil.example/ideas/track", "https://evil.example/", ""])
def test_the_way_back_stays_on_the_site(client, target):
    assert _switch(client, "elder", target).headers["Location"] == "/"


def test_an_unknown_choice_changes_nothing(client):
    response = _switch(client, "huge")
    assert response.status_code == 302 and client.get_cookie(COOKIE) is None


def test_the_page_cache_keeps_one_copy_per_size(app_with, make):
    make.campaign()
    client = app_with(CACHE_TYPE="SimpleCache").test_client()
    assert _classes(client, "/") is None   # stored in the cache now
    _switch(client, "elder")
    assert _classes(client, "/") == "elder elder-1"
    _switch(client, "standard")
    assert _classes(client, "/") is None
