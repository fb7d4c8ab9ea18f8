"""In Chromium, a new user enrols an authenticator app and signs in with a code.
Each step is checked with axe-core and saved as a screenshot."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from registers import roles
from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from_secret(secret_text: str, *, ahead: int = 0) -> str:
    """What an authenticator app shows for the key on the set-up page."""
    key = b32decode(secret_text.replace(" ", "") + "=" * (-len(secret_text.replace(" ", "")) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=ahead):06d}"


def test_a_new_user_enrols_an_authenticator_and_signs_in_with_a_code(
    page, live_server, shots, make_user, settings
):
    settings.REQUIRE_MFA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    make_user(roles.QA_OFFICER, username="newstarter", first_name="Sam", last_name="Reid")
    base = live_server.url
    problems = {}

    def step(name: str):
        shots(page, name)
        found = serious_violations(page)
        if found:
            problems[name] = found

    page.goto(f"{base}/admin/")
    page.wait_for_url(f"{base}/admin/login/**")
    step("01-sign-in")
    page.fill("#id_username", "newstarter")
    page.fill("#id_password", "pass")
    page.keyboard.press("Enter")

    page.wait_for_url(f"{base}/account/second-factor/set-up/**")
    assert page.locator("#totp-qr svg").is_visible()
    step("02-set-up-qr-code")
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#id_token", "000000" if code_from_secret(secret) != "000000" else "111111")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("text=That code is not right")
    step("03-wrong-code")

    page.fill("#id_token", code_from_secret(secret))
    page.keyboard.press("Enter")
    page.wait_for_selector("#recovery-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    step("04-recovery-codes")
    page.get_by_text("I have saved them: continue").click()
    page.wait_for_url(f"{base}/admin/")
    step("05-dashboard")

    # Sign out and in again: the password, then a fresh code from the app.
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "newstarter")
    page.fill("#id_password", "pass")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/account/second-factor/**")
    assert page.locator("#id_token").is_visible()
    step("06-verify")
    # The code just used is spent; an app would show the next one within 30 seconds.
    page.fill("#id_token", code_from_secret(secret, ahead=1))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/")
    step("07-signed-in-with-code")

    # And once more with a recovery code.
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "newstarter")
    page.fill("#id_password", "pass")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/account/second-factor/**")
    page.fill("#id_token", codes[0])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/admin/")
    assert "recovery code" in page.content()
    step("08-signed-in-with-recovery-code")
    assert problems == {}
