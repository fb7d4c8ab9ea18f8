"""Second factor: enrolment with a QR code, verification by code, passkey or recovery
code, the redirect of every URL until verified, and a manager's recorded reset."""

import subprocess
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from registers.models import AccessEvent, AccessEventKind
from registers.services.security import second_factor_reset
from tests.routes import every_route, fill

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("mfa_required"),
]
VERIFY = "/account/second-factor/"
SET_UP = "/account/second-factor/set-up/"


@pytest.fixture
def mfa_required():
    # No throttling delay, so a wrong code can be followed by a right one at once.
    with override_settings(
        REQUIRE_MFA=True, OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0
    ):
        yield


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def test_a_new_user_is_sent_to_set_up_and_enrols_with_a_code(manager):
    client = signed_in(manager)
    response = client.get("/admin/registers/provider/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(SET_UP)

    page = client.get(SET_UP)
    assert page.status_code == 200
    assert b"<svg" in page.content and b'id="totp-secret"' in page.content
    device = TOTPDevice.objects.get(user=manager, confirmed=False)

    wrong = client.post(SET_UP, {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=manager, confirmed=True).exists()

    done = client.post(SET_UP, {"token": code_for(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/registers/provider/").status_code == 200
    event = AccessEvent.objects.get(kind=AccessEventKind.MFA_ENROLLED)
    assert event.subject == manager and event.actor == manager


def test_set_up_is_refused_once_a_factor_exists_until_it_is_verified(manager):
    enrolled(manager)
    client = signed_in(manager)
    response = client.get(SET_UP)
    assert response.status_code == 302 and response["Location"] == VERIFY
    response = client.post(SET_UP, {"token": "123456"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_verification_by_code_returns_to_the_page_asked_for(manager):
    device = enrolled(manager)
    client = signed_in(manager)
    response = client.get("/admin/registers/contract/")
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2Fregisters%2Fcontract%2F"
    refused = client.post(VERIFY, {"token": "12345x", "next": "/admin/registers/contract/"})
    assert refused.status_code == 200
    assert "not right" in refused.content.decode()
    response = client.post(
        VERIFY, {"token": code_for(device), "next": "/admin/registers/contract/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/registers/contract/"
    assert client.get("/admin/registers/contract/").status_code == 200


def test_verification_never_redirects_off_site(manager):
    device = enrolled(manager)
    client = signed_in(manager)
    response = client.post(VERIFY, {"token": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:index")


def test_a_recovery_code_works_once(manager):
    client = signed_in(manager)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=manager)
    codes = client.post(SET_UP, {"token": code_for(device)}).context["codes"]

    second = signed_in(manager)
    response = second.post(VERIFY, {"token": codes[0].upper()})
    assert response.status_code == 302
    assert second.get("/admin/").status_code == 200

    third = signed_in(manager)
    response = third.post(VERIFY, {"token": codes[0]})
    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert StaticDevice.objects.get(user=manager).token_set.count() == 9


def test_new_recovery_codes_replace_the_old_set(manager):
    client = signed_in(manager)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=manager)
    old = client.post(SET_UP, {"token": code_for(device)}).context["codes"]
    new = client.post(reverse("second_factor:recovery_codes")).context["codes"]
    assert set(old).isdisjoint(new)
    assert signed_in(manager).post(VERIFY, {"token": old[1]}).status_code == 200
    assert signed_in(manager).post(VERIFY, {"token": new[1]}).status_code == 302
    assert AccessEvent.objects.filter(kind=AccessEventKind.RECOVERY_CODES).count() == 1


def test_a_passkey_counts_as_a_second_factor_kind(manager):
    """A user with only a passkey is enrolled and offered it at verification."""
    WebAuthnCredential.objects.create(
        user=manager,
        name="Security key",
        confirmed=True,
        credential_id=b"x" * 16,
        public_key=b"key",
        sign_count=0,
        aaguid="00000000-0000-0000-0000-000000000000",
        discoverable=False,
        transports=[],
        credential_id_sha256="y" * 64,
    )
    client = signed_in(manager)
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert b"passkey-verification-placeholder" in page.content
    assert b"otp_webauthn_auth.js" in page.content


OPEN_ROUTES = ("admin/login/", "admin/logout/", "account/second-factor/", "webauthn/")


def test_every_url_kind_redirects_to_the_second_factor_until_verified(manager):
    """Every route the portal serves, GET and POST, except sign-in, enrolment and
    static files, sends an unverified user to the second-factor step."""
    enrolled(manager)
    client = signed_in(manager)
    leaks = []
    for route in every_route():
        url = fill(route, "1")
        if not url or route.startswith(OPEN_ROUTES) or route == "admin/jsi18n/":
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 302 or not response["Location"].startswith(VERIFY):
                leaks.append((method, url, response.status_code))
    assert leaks == []
    # Sign-in, enrolment and static files stay open.
    assert client.get("/admin/login/").status_code in (200, 302)
    assert client.get(VERIFY).status_code == 200
    assert client.get("/static/admin/css/base.css").status_code != 302


@override_settings(REQUIRE_MFA=False)
def test_with_require_mfa_off_a_password_is_enough(manager):
    assert signed_in(manager).get("/admin/").status_code == 200


def test_require_mfa_defaults_on_when_debug_is_off():
    code = "from django.conf import settings; print(settings.REQUIRE_MFA)"
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "x" * 60 + "abcdefgh",
        "ALLOWED_HOSTS": "portal.example.gov.uk",
        "PATH": "/usr/bin:/bin",
    }
    run = [sys.executable, "-c", "import django; django.setup(); " + code]
    off = subprocess.run(run, env={**env, "DEBUG": "false"}, capture_output=True, text=True)
    on = subprocess.run(run, env={**env, "DEBUG": "true"}, capture_output=True, text=True)
    forced = subprocess.run(
        run, env={**env, "DEBUG": "false", "REQUIRE_MFA": "false"}, capture_output=True, text=True
    )
    assert (off.stdout.strip(), on.stdout.strip(), forced.stdout.strip()) == (
        "True",
        "False",
        "False",
    ), off.stderr + on.stderr


# --- a manager's reset -----------------------------------------------------------------


def _verified(user) -> Client:
    device = enrolled(user)
    client = signed_in(user)
    assert client.post(VERIFY, {"token": code_for(device)}).status_code == 302
    return client


def test_a_manager_resets_someones_second_factor_and_it_is_recorded(manager, qa1):
    enrolled(qa1)
    StaticDevice.objects.create(user=qa1, name="Recovery codes")
    client = _verified(manager)
    page = client.get(reverse("admin:registers_accessevent_sign_in"))
    assert page.status_code == 200 and "t_qa1" in page.content.decode()
    url = reverse("admin:registers_accessevent_reset", args=[qa1.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert TOTPDevice.objects.filter(user=qa1).exists()

    response = client.post(url, {"reason": "Lost her phone"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=qa1).exists()
    assert not StaticDevice.objects.filter(user=qa1).exists()
    event = AccessEvent.objects.get(kind=AccessEventKind.MFA_RESET)
    assert (event.actor, event.subject, event.reason) == (manager, qa1, "Lost her phone")
    # Next sign-in starts again at set-up.
    fresh = signed_in(qa1)
    assert fresh.get(VERIFY)["Location"].startswith(SET_UP)


def test_a_reset_ends_a_verified_session(manager, qa1):
    qa_client = _verified(qa1)
    assert qa_client.get("/admin/").status_code == 200
    second_factor_reset(actor=manager, user=qa1, reason="Left the team's phone on a bus")
    assert qa_client.get("/admin/")["Location"].startswith(VERIFY)


@pytest.mark.parametrize("who", ["support", "qa2", "officer", "auditor"])
def test_only_managers_reset_second_factors(who, request, qa1):
    enrolled(qa1)
    user = request.getfixturevalue(who)
    client = _verified(user)
    assert client.get(reverse("admin:registers_accessevent_sign_in")).status_code == 403
    url = reverse("admin:registers_accessevent_reset", args=[qa1.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert TOTPDevice.objects.filter(user=qa1).exists()
    with pytest.raises(PermissionDenied):
        second_factor_reset(actor=user, user=qa1, reason="x")


def test_nobody_resets_their_own_second_factor(manager):
    enrolled(manager)
    with pytest.raises(PermissionDenied, match="own"):
        second_factor_reset(actor=manager, user=manager, reason="x")
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_the_auditor_reads_the_access_trail(manager, qa1, auditor):
    enrolled(qa1)
    second_factor_reset(actor=manager, user=qa1, reason="Lost phone")
    client = _verified(auditor)
    page = client.get(reverse("admin:registers_accessevent_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Lost phone" in text and "t_qa1" in text
