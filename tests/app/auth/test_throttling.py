import pytest



@pytest.fixture
def limited_client(app_with, make):
    return app_with(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ACCOUNT="3 per 10 minutes",
                    LOGIN_LIMIT_PER_ADDRESS="6 per 10 minutes").test_client()


def attempt(client, login, password):
    return client.post("/auth/login", data={"login": login, "password": password})


def test_failed_logins_are_throttled_per_account(app, limited_client, make):
    make.user(login="13900001111")
    for _ in range(3):
        assert attempt(limited_client, "13900001111", "Wrong1234").status_code == 200
    blocked = attempt(limited_client, "139 0000 1111", "Passw0rd!")
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.get_data(as_text=True)
    # Another account from the same address is still let in.
    make.user(login="13900002222")
    assert attempt(limited_client, "13900002222", "Passw0rd!").status_code == 302


def test_failed_logins_are_throttled_per_address(app, limited_client, make):
    for n in range(6):
        assert attempt(limited_client, f"1390000{n:04d}", "Wrong1234").status_code == 200
    make.user(login="13900009999")
    assert attempt(limited_client, "13900009999", "Passw0rd!").status_code == 429


def test_successful_logins_do_not_count(app, limited_client, make):
    make.user(login="13900001111")
    for _ in range(5):
        assert attempt(limited_client, "13900001111", "Passw0rd!").status_code == 302
        limited_client.post("/auth/logout")
