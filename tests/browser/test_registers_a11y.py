"""A manager opens each register; every page passes axe-core (no serious or
critical violation) and is saved as a screenshot."""

import pytest

from tests.admin_fixtures import one_of_everything
from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("dashboard", "/admin/"),
    ("providers", "/admin/registers/provider/"),
    ("settings", "/admin/registers/setting/"),
    ("inspections", "/admin/registers/inspection/"),
    ("contracts", "/admin/registers/contract/"),
    ("visits", "/admin/registers/visit/"),
    ("my-visits", "/admin/registers/visit/my/"),
    ("calendar", "/admin/registers/visit/calendar/"),
    ("due", "/admin/registers/visit/due/"),
    ("action-items", "/admin/registers/actionitem/"),
    ("concerns", "/admin/registers/concern/"),
    ("frameworks", "/admin/registers/framework/"),
]


def test_manager_opens_every_register(login, live_server, shots, make_user):
    from registers import roles

    manager = make_user(roles.MANAGER, username="manager")
    records = one_of_everything(lead=manager, manager=manager)
    detail_pages = [
        ("provider-detail", f"/admin/registers/provider/{records['provider'].pk}/change/"),
        ("contract-detail", f"/admin/registers/contract/{records['contract'].pk}/change/"),
        ("visit-detail", f"/admin/registers/visit/{records['visit'].pk}/change/"),
        ("setting-history", f"/admin/registers/setting/{records['setting'].pk}/history/"),
    ]
    page = login("manager")
    failures = {}
    for name, path in PAGES + detail_pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        shots(page, name)
        found = serious_violations(page)
        if found:
            failures[name] = found
    assert failures == {}
