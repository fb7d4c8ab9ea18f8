"""After "Add another ..." on a record's page, focus moves to the first field of
the new inline row (it once stayed put: 42 Tabs to reach the new row)."""

import pytest

from registers import roles
from tests.admin_fixtures import one_of_everything
from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_action_item_row_takes_focus(login, live_server, make_user, shots):
    manager = make_user(roles.MANAGER, username="manager")
    visit = one_of_everything(lead=manager, manager=manager)["visit"]
    page = login("manager")
    page.goto(f"{live_server.url}/admin/registers/visit/{visit.pk}/change/")
    add = page.locator(".add-row a, a.add-row, .add-row button").first
    add.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("/-description$/.test(document.activeElement.name || '')")
    name = page.evaluate("document.activeElement.name")
    assert name.endswith("-1-description"), name  # the new row, not the visit's first
    page.keyboard.type("Update the fire risk assessment")
    assert page.input_value(f"[name='{name}']") == "Update the fire risk assessment"
    shots(page, "new-inline-row-focused")
    assert serious_violations(page) == []
