"""Sign-in lockout: by login and by address, after a set number of failures, for a set
cool-off; X-Forwarded-For only from trusted proxies; managers see and lift lockouts."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from registers.models import AccessEvent, AccessEventKind

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


def attempt(username: str, password: str, ip: str = "192.0.2.10", **headers):
    client = Client(REMOTE_ADDR=ip, **headers)
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})


def fail(times: int, username: str, ip: str = "192.0.2.10", **headers):
    for _ in range(times):
        attempt(username, "wrong", ip, **headers)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_twelve_wrong_passwords_then_the_right_one_is_refused(support):
    fail(12, "t_support")
    response = attempt("t_support", "pass")
    assert response.status_code == 429
    assert "too many unsuccessful attempts" in response.content.decode()


def test_five_failures_lock_four_do_not(support):
    fail(4, "t_support")
    assert signed_in(attempt("t_support", "pass"))
    fail(5, "t_support")
    assert attempt("t_support", "pass").status_code == 429


def test_the_lock_is_by_login_whatever_the_address(support):
    for index in range(5):
        attempt("t_support", "wrong", ip=f"198.51.100.{index}")
    assert attempt("t_support", "pass", ip="203.0.113.99").status_code == 429


def test_the_lock_is_by_address_whatever_the_login(support):
    for index in range(5):
        attempt(f"nobody{index}", "wrong", ip="198.51.100.7")
    assert attempt("t_support", "pass", ip="198.51.100.7").status_code == 429
    assert signed_in(attempt("t_support", "pass", ip="198.51.100.8"))


def test_the_message_does_not_say_whether_the_login_exists(support):
    fail(5, "t_support", ip="192.0.2.1")
    fail(5, "no_such_user", ip="192.0.2.2")
    real = attempt("t_support", "wrong", ip="192.0.2.1")
    unknown = attempt("no_such_user", "wrong", ip="192.0.2.2")
    assert real.status_code == unknown.status_code == 429
    strip = [b"t_support", b"no_such_user"]
    for name in strip:
        assert name not in real.content and name not in unknown.content
    assert real.content.replace(b"192.0.2.1", b"") == unknown.content.replace(b"192.0.2.2", b"")


@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=timedelta(minutes=1))
def test_limit_and_cool_off_are_settings(support):
    fail(3, "t_support")
    assert attempt("t_support", "pass").status_code == 429
    # Once the cool-off has passed, the right password works again.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=2)
    )
    assert signed_in(attempt("t_support", "pass"))


def test_after_fifteen_minutes_the_lock_lifts(support):
    fail(5, "t_support")
    assert attempt("t_support", "pass").status_code == 429
    first = AccessAttempt.objects.first().attempt_time
    AccessAttempt.objects.update(attempt_time=first - timedelta(minutes=16))
    assert signed_in(attempt("t_support", "pass"))


def test_x_forwarded_for_from_an_untrusted_client_is_ignored(support):
    """Forging X-Forwarded-For does not dodge the address lock."""
    for index in range(5):
        attempt(f"nobody{index}", "wrong", ip="192.0.2.50", HTTP_X_FORWARDED_FOR=f"10.9.9.{index}")
    assert attempt("t_support", "pass", ip="192.0.2.50").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.50"}


@override_settings(TRUSTED_PROXIES=["10.0.0.0/24"])
def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(support):
    for _ in range(5):
        attempt("nobody", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.3")
    # Another client behind the same proxy is not locked out by the first.
    other = attempt("t_support", "pass", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert signed_in(other)
    locked = attempt("t_support", "pass", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert locked.status_code == 429
    assert "203.0.113.5" in set(AccessAttempt.objects.values_list("ip_address", flat=True))


def test_a_manager_sees_and_lifts_a_lockout_and_it_is_recorded(manager, support):
    fail(5, "t_support")
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("admin:registers_accessevent_sign_in"))
    assert page.status_code == 200
    assert "t_support" in page.content.decode() and "locked out" in page.content.decode()
    pk = AccessAttempt.objects.get(username="t_support").pk
    url = reverse("admin:registers_accessevent_lift", args=[pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert AccessAttempt.objects.exists()
    response = client.post(url, {"reason": "Rang the service desk; identity checked"})
    assert response.status_code == 302
    assert signed_in(attempt("t_support", "pass"))
    event = AccessEvent.objects.get(kind=AccessEventKind.LOCKOUT_CLEARED)
    assert (event.actor, event.subject) == (manager, support)
    assert event.reason == "Rang the service desk; identity checked"


@pytest.mark.parametrize("who", ["support", "qa1", "officer", "auditor"])
def test_only_managers_lift_lockouts(who, request, make_user):
    make_user(username="locked")
    fail(5, "locked")
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    pk = AccessAttempt.objects.get(username="locked").pk
    assert client.get(reverse("admin:registers_accessevent_sign_in")).status_code == 403
    url = reverse("admin:registers_accessevent_lift", args=[pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=pk).exists()


@override_settings(REQUIRE_MFA=True)
def test_the_second_factor_step_follows_a_good_password(support):
    TOTPDevice.objects.create(user=support, confirmed=True)
    response = attempt("t_support", "pass")
    assert signed_in(response)
    client = Client(REMOTE_ADDR="192.0.2.10")
    client.post(LOGIN, {"username": "t_support", "password": "pass"})
    assert client.get("/admin/")["Location"].startswith("/account/second-factor/")
