"""Issue 15's rough edges in Chromium: a version page throws no JavaScript error,
and the contract list fits a 1366×768 screen."""

import pytest

from registers import roles
from tests.browser.conftest import serious_violations
from tests.factories import ContractFactory, ProviderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_version_page_throws_no_javascript_error(login, live_server, make_user, shots):
    make_user(roles.MANAGER, username="manager")
    provider = ProviderFactory(contact_name="First contact")
    version = provider.history.first()
    page = login("manager")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server.url}/admin/registers/provider/{provider.pk}/history/{version.pk}/")
    page.wait_for_load_state("networkidle")
    for link in page.locator("#content a, .object-tools a").all()[:10]:
        link.hover()
    shots(page, "version-page")
    assert not [e for e in errors if "actionDropdownOpen" in e or "is not defined" in e], errors
    assert page.locator("[name='change_reason']").count() == 1
    assert serious_violations(page) == []


def test_the_contract_list_fits_1366_wide(login, live_server, make_user, shots):
    make_user(roles.MANAGER, username="manager", first_name="Ann", last_name="Boss")
    for _ in range(3):
        ContractFactory()
    page = login("manager")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/registers/contract/")
    page.wait_for_load_state("networkidle")
    shots(page, "contracts-1366")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    # Nor is the list cut off inside its own scrolling box.
    hidden = page.evaluate(
        "(() => { const t = document.querySelector('#result_list');"
        " return t.scrollWidth - t.parentElement.clientWidth; })()"
    )
    assert hidden <= 0, f"the list is {hidden}px wider than its box"
    assert page.locator("#result_list th.column-flags").is_visible()
