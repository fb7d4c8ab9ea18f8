"""Each role signs in to its own home page (screenshots at two screen sizes),
a commissioning officer saves a view, and a manager shares one with the officers."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
HOMES = {
    "manager": ("Manager", "Contract value by procurement route and financial year"),
    "qa1": ("QA officer", "My visits this week"),
    "officer": ("Commissioning officer", "My contracts ending"),
    "support": ("Business support", "Contracts not publishable"),
    "auditor": ("Auditor", "Recent access changes"),
}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo"
    cache.clear()
    call_command("seed_demo", stdout=StringIO())
    yield
    cache.clear()


@pytest.mark.parametrize("username", list(HOMES))
def test_each_role_signs_in_to_its_own_home_page(username, demo, login, shots, page):
    role, marker = HOMES[username]
    page = login(username, "demo")
    assert page.get_by_text(f"Your home page as {role}.", exact=False).is_visible()
    assert page.get_by_text(marker).first.is_visible()
    assert "Authentication and Authorization" not in page.content()
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        shots(page, f"home-{username}-{size}")
    assert serious_violations(page) == []


def test_the_managers_chart_tables_open_and_link_to_the_lists(demo, login, live_server, page):
    page = login("manager", "demo")
    assert page.locator("canvas.chart").count() == 4
    summary = page.get_by_text("Figures as a table, with links to the lists").nth(1)
    summary.focus()
    page.keyboard.press("Enter")
    table = page.get_by_role("table", name="Settings by current Ofsted rating")
    assert table.is_visible()
    table.get_by_role("link").first.click()
    page.wait_for_url(f"{live_server.url}/admin/registers/setting/?**")
    assert page.locator("#result_list").count() == 1 or "0 settings" in page.content()


def save_view(page, name: str) -> None:
    page.get_by_text("Save this view").click()
    page.get_by_label("Name of the view").fill(name)
    page.get_by_role("button", name="Save view").click()


def sidebar_link(page, name: str):
    return page.locator("#nav-sidebar-inner, nav").get_by_role("link", name=name)


def test_an_officer_saves_a_view_and_finds_it_in_the_sidebar(demo, login, live_server, shots):
    page = login("officer", "demo")
    page.goto(f"{live_server.url}/admin/registers/contract/?decision=6")
    save_view(page, "Decisions in 6 months")
    page.wait_for_url(f"{live_server.url}/admin/registers/contract/?decision=6")
    assert page.get_by_text("is saved").is_visible()
    page.goto(f"{live_server.url}/admin/")
    link = page.get_by_role("link", name="Decisions in 6 months").first
    assert link.is_visible()
    shots(page, "home-officer-saved-view-in-sidebar")
    link.click()
    page.wait_for_url(f"{live_server.url}/admin/registers/contract/?decision=6")


def test_a_manager_shares_a_view_and_the_officer_sees_it(demo, login, live_server, shots):
    page = login("manager", "demo")
    page.goto(f"{live_server.url}/admin/registers/contract/?is_key_contract__exact=1")
    save_view(page, "Key contracts")
    page.goto(f"{live_server.url}/admin/saved-views/")
    page.get_by_label("Share Key contracts with a role").select_option("Commissioning officer")
    page.get_by_role("button", name="Share").first.click()
    assert page.get_by_text("is shared with every Commissioning officer").is_visible()
    shots(page, "saved-views-manager-shares")
    assert serious_violations(page) == []

    page = login("officer", "demo")
    link = page.get_by_role("link", name="Key contracts").first
    assert link.is_visible()
    page.goto(f"{live_server.url}/admin/saved-views/")
    assert page.get_by_text("Shared with my role").is_visible()
    assert page.get_by_role("button", name="Delete Key contracts").count() == 0
    shots(page, "saved-views-officer-sees-shared")
