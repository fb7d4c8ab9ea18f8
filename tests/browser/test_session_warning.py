"""The GOV.UK-style warning before the idle sign-out: it takes focus, is read out,
and "Stay signed in" works from the keyboard."""

import pytest

from registers import roles
from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_timeout_warning_offers_stay_signed_in_by_keyboard(
    login, live_server, shots, make_user, settings
):
    # Two minutes' warning of a 2 m 4 s idle timeout: the warning comes after 4 seconds.
    settings.SESSION_IDLE_TIMEOUT = 124
    make_user(roles.AUDITOR, username="auditor")
    page = login("auditor")
    dialog = page.locator("#session-timeout-dialog")
    dialog.wait_for(state="visible", timeout=30_000)
    assert dialog.get_attribute("aria-labelledby") == "session-timeout-heading"
    assert "You’re about to be signed out" in dialog.inner_text()
    assert page.evaluate("document.activeElement.id") == "session-timeout-heading"
    assert page.locator("#session-timeout-live").get_attribute("aria-live") == "assertive"
    shots(page, "01-warning")
    assert serious_violations(page) == []

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "session-timeout-stay"
    with page.expect_response("**/account/session/") as answer:
        page.keyboard.press("Enter")
    assert answer.value.json()["seconds_left"] > 100
    dialog.wait_for(state="hidden")
    shots(page, "02-stayed-signed-in")
    page.reload()
    assert page.url.endswith("/admin/")
