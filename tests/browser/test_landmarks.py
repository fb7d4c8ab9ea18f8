"""Every page each role opens has one main landmark and a skip link to it, the
first thing the Tab key reaches; the sign-in page passes axe-core."""

import pytest

from registers import roles
from tests.admin_fixtures import one_of_everything
from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/admin/",
    "/admin/registers/provider/",
    "/admin/registers/visit/",
    "/admin/registers/contract/",
]


def check_landmarks(page) -> list[str]:
    problems = []
    mains = page.locator("main, [role=main]").count()
    if mains != 1:
        problems.append(f"{page.url}: {mains} main landmarks")
    page.keyboard.press("Tab")
    if page.evaluate("document.activeElement.id") != "skip-link":
        problems.append(f"{page.url}: the first Tab does not reach the skip link")
        return problems
    page.keyboard.press("Enter")
    focused_in_main = page.evaluate("!!document.activeElement.closest('main, [role=main]')")
    if not focused_in_main:
        problems.append(f"{page.url}: the skip link does not move focus to the main content")
    return problems


def test_the_sign_in_page_has_a_main_landmark_skip_link_and_no_serious_axe_issue(
    page, live_server, shots
):
    page.goto(f"{live_server.url}/admin/login/")
    shots(page, "sign-in")
    assert serious_violations(page) == []
    assert check_landmarks(page) == []


@pytest.mark.parametrize(
    "role", [roles.MANAGER, roles.BUSINESS_SUPPORT, roles.QA_OFFICER, roles.AUDITOR]
)
def test_every_role_gets_a_main_landmark_and_skip_link(role, login, live_server, make_user):
    user = make_user(role, username="someone")
    one_of_everything(lead=user, manager=user)
    page = login("someone")
    problems = []
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        problems += check_landmarks(page)
        problems += [f"{path}: {v}" for v in serious_violations(page)]
    assert problems == []
