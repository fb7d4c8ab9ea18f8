"""The refusal pages in Chromium: the portal's 403 and 404 pages, a read-only
record's reason, and the reason field on guardian's grant page, each axe clean
with a main landmark, and saved as a screenshot."""

import pytest
from django.urls import reverse

from registers import roles
from tests.admin_fixtures import one_of_everything
from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_refusals_and_reasons_in_the_portals_look(login, live_server, make_user, shots):
    manager = make_user(roles.MANAGER, username="manager", first_name="Mo", last_name="Khan")
    make_user(roles.AUDITOR, username="auditor")
    officer = make_user(roles.QA_OFFICER, username="officer")
    records = one_of_everything(lead=manager, manager=manager)
    contract = records["contract"]

    page = login("auditor")
    page.goto(f"{live_server.url}/admin/registers/contract/{contract.pk}/change/")
    notice = page.get_by_test_id("read-only-reason")
    assert notice.inner_text() == (
        "Read only: your role (Auditor) can view contracts but not change them."
    )
    shots(page, "01-read-only-contract")
    assert serious_violations(page) == []

    response = page.goto(f"{live_server.url}/admin/registers/provider/add/")
    assert response.status == 403
    assert "Your role does not let you open this page" in page.inner_text("#error-reason")
    page.click("#error-home")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.go_back()
    shots(page, "02-refused")
    assert serious_violations(page) == []
    assert page.locator("main, [role=main]").count() == 1

    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    shots(page, "03-not-found")
    assert serious_violations(page) == []

    page = login("manager")
    url = reverse(
        "admin:registers_contract_permissions_manage_user", args=[contract.pk, officer.pk]
    )
    page.goto(f"{live_server.url}{url}")
    reason = page.get_by_label("Reason")
    assert reason.get_attribute("required") is not None  # the browser asks first
    reason.fill("   ")
    page.get_by_role("button", name="Save").click()
    # The refused form comes back with the field's error (waited for: a new page loads).
    page.get_by_text("Say why this access is changing.").wait_for()
    shots(page, "04-grant-needs-a-reason")
    found = serious_violations(page)
    assert found == [], "\n".join(found)
