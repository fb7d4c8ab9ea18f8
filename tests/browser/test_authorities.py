"""Two councils and the regional lead on the demo install: each manager sees
only their own council's contracts; the regional lead sees counts and sums."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.conftest import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "demo"
    call_command("seed_demo", stdout=StringIO())


def contract_references(page) -> set[str]:
    cells = page.locator("#result_list tbody tr th, #result_list tbody tr td").all_inner_texts()
    return {text.split()[0] for text in cells if text.startswith(("CS-", "KN-"))}


def test_each_manager_sees_only_their_own_contracts(demo, login, live_server, shots):
    page = login("manager", "demo")
    page.goto(f"{live_server.url}/admin/registers/contract/")
    ours = contract_references(page)
    shots(page, "authorities-manager-contracts")
    assert ours and all(ref.startswith("CS-") for ref in ours), ours
    assert "Knowsley" not in page.content()

    page = login("manager_b", "demo")
    page.goto(f"{live_server.url}/admin/registers/contract/")
    theirs = contract_references(page)
    shots(page, "authorities-manager-b-contracts")
    assert theirs and all(ref.startswith("KN-") for ref in theirs), theirs
    assert serious_violations(page) == []


def test_the_regional_lead_sees_the_regional_dashboard(demo, login, live_server, shots):
    page = login("regional", "demo")
    shots(page, "authorities-regional-home")
    page.get_by_role("link", name="Authorities on the regional dashboard").first.click()
    page.wait_for_url(f"{live_server.url}/admin/registers/authority/regional/")
    assert page.get_by_role("heading", name="Regional dashboard").is_visible()
    body = page.content()
    assert "Sefton Council" in body and "Knowsley Council" in body
    assert "CS-" not in body and "KN-" not in body  # counts and sums, no records
    shots(page, "authorities-regional-dashboard")
    assert serious_violations(page) == []
    assert page.goto(f"{live_server.url}/admin/registers/contract/").status == 403


def test_a_manager_opts_their_council_out_of_a_setting(demo, login, live_server, shots):
    page = login("manager_b", "demo")
    page.goto(f"{live_server.url}/admin/registers/setting/?enhanced_monitoring=yes")
    shots(page, "authorities-manager-b-monitored-settings")
    page.locator("#result_list tbody tr a").first.click()
    page.get_by_role("link", name="Your council's use").first.click()
    page.get_by_label("Does not use it (opt out)").check()
    page.get_by_label("Reason").fill("No child of ours is placed there")
    shots(page, "authorities-council-use-form")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm").click()
    # wait_for: the page after the redirect may still be loading.
    page.get_by_text("Knowsley Council no longer uses").wait_for()
    page.get_by_text("Councils", exact=True).first.click()
    page.get_by_text("Knowsley Council – opted out").wait_for()
    shots(page, "authorities-council-use-done")
