"""Users doing their jobs in Chromium, end to end, with screenshots of each step."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from registers import roles
from registers.models import ActionItem, Contract, Provider, VisitStatus
from tests.browser.conftest import serious_violations
from tests.factories import ProviderFactory, SettingFactory, VisitFactory, today
from tests.spreadsheets import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_qa_officer_sees_a_colleagues_visit_read_only_and_edits_their_own(
    login, live_server, shots, make_user
):
    qa1 = make_user(roles.QA_OFFICER, username="qa1")
    qa2 = make_user(roles.QA_OFFICER, username="qa2")
    mine = VisitFactory(lead_officer=qa1, setting=SettingFactory(name="Willow House"))
    theirs = VisitFactory(lead_officer=qa2, setting=SettingFactory(name="Rowan Lodge"))

    page = login("qa1")
    page.goto(f"{live_server.url}/admin/registers/visit/{theirs.pk}/change/")
    expect(page.get_by_text("Rowan Lodge").first).to_be_visible()
    expect(page.locator('button[name="_save"]')).to_have_count(0)
    expect(page.locator('input[name="planned_date"]')).to_have_count(0)
    shots(page, "qa2-visit-read-only")
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/admin/registers/visit/{mine.pk}/change/")
    expect(page.locator('button[name="_save"]').first).to_be_visible()
    shots(page, "own-visit-editable")
    page.get_by_role("tab", name="Outcome").click()
    page.fill("#id_recommendations", "Review night staffing")
    page.locator('button[name="_save"]').first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    mine.refresh_from_db()
    assert mine.recommendations == "Review night staffing"


def test_manager_imports_a_spreadsheet_with_preview_confirm_and_history(
    login, live_server, shots, make_user, tmp_path
):
    make_user(roles.MANAGER, username="manager")
    ProviderFactory(name="Acme Care Ltd", company_number="", town="Old Town")
    path = tmp_path / "providers April.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["Name", "Companies House number", "Town", "Sector"],
                ["Acme Care Ltd", "", "Preston", "Private"],
                ["Brightpath Homes Ltd", "09876543", "Lancaster", "Voluntary"],
            ]
        )
    )

    page = login("manager")
    page.goto(f"{live_server.url}/admin/registers/provider/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.set_input_files('input[type="file"]', str(path))
    shots(page, "import-chosen")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Preview: nothing has been written yet")).to_be_visible()
    expect(page.get_by_text("Old Town")).to_be_visible()
    shots(page, "import-preview")
    assert serious_violations(page) == []
    assert Provider.objects.count() == 1

    page.get_by_role("button", name=re.compile("Confirm and import")).click()
    expect(page.get_by_text(re.compile("Imported providers April.csv"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Brightpath Homes Ltd"))).to_be_visible()
    shots(page, "import-done")

    new = Provider.objects.get(name="Brightpath Homes Ltd")
    page.goto(f"{live_server.url}/admin/registers/provider/{new.pk}/history/")
    expect(page.get_by_text("Imported from providers April.csv")).to_be_visible()
    shots(page, "import-history")


def test_qa_officer_runs_a_visit_from_my_visits_to_the_calendar(
    login, live_server, shots, make_user
):
    qa1 = make_user(roles.QA_OFFICER, username="qa1")
    visit = VisitFactory(
        lead_officer=qa1,
        planned_date=today() - timedelta(days=1),
        setting=SettingFactory(name="Willow House"),
    )

    page = login("qa1")
    page.get_by_role("link", name="My visits", exact=True).first.click()
    expect(page.get_by_role("heading", name="Overdue (1)")).to_be_visible()
    shots(page, "my-visits")
    assert serious_violations(page) == []
    page.get_by_role("link", name=re.compile("Willow House")).first.click()

    page.get_by_role("tab", name="Outcome").click()
    page.select_option("#id_status", "completed")
    page.fill("#id_actual_date", today().strftime("%d/%m/%Y"))
    page.select_option("#id_rag", "amber")
    page.fill("#id_findings", "Rota relies on agency staff at night; records in good order.")
    add = page.get_by_text("Add another Action item")
    for number, action in enumerate(["Reduce agency cover at night", "Send revised rota"]):
        add.click()
        page.fill(f"#id_action_items-{number}-description", action)
        page.fill(f"#id_action_items-{number}-owner", "Registered manager")
        page.fill(
            f"#id_action_items-{number}-due_date",
            (today() + timedelta(days=30)).strftime("%d/%m/%Y"),
        )
    shots(page, "visit-completing")
    page.locator('button[name="_save"]').first.click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    visit.refresh_from_db()
    assert (visit.status, visit.rag) == (VisitStatus.COMPLETED, "amber")
    assert ActionItem.objects.filter(visit=visit).count() == 2
    assert visit.history.first().history_user == qa1

    page.goto(
        f"{live_server.url}/admin/registers/visit/calendar/"
        f"?month={visit.planned_date:%Y-%m}&mine=on"
    )
    entry = page.get_by_role("link", name=re.compile("Willow House"))
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("completed")
    shots(page, "calendar")
    assert serious_violations(page) == []


def test_spot_purchase_requested_by_support_and_authorised_by_a_manager(
    login, live_server, shots, make_user
):
    make_user(roles.BUSINESS_SUPPORT, username="support")
    make_user(roles.MANAGER, username="manager", first_name="Sarah", last_name="Ahmed")
    ProviderFactory(name="Harbour Fostering Ltd")

    page = login("support")
    page.goto(f"{live_server.url}/admin/registers/contract/add/")
    page.fill("#id_reference", "SP-2026-001")
    page.fill("#id_title", "Solo placement for child AB")
    _choose_autocomplete(page, "provider", "Harbour")
    page.get_by_role("tab", name="Procurement").click()
    page.select_option("#id_procurement_route", "spot_purchase")
    page.get_by_role("tab", name="Dates and value").click()
    page.fill("#id_start_date", today().strftime("%d/%m/%Y"))
    page.fill("#id_end_date", (today() + timedelta(days=800)).strftime("%d/%m/%Y"))
    page.fill("#id_annual_value", "95000")
    page.get_by_role("tab", name="Spot purchase").click()
    page.fill(
        "#id_spot_justification",
        "No framework provider could offer a solo placement near the child's school.",
    )
    page.locator('button[name="_save"]').first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    contract = Contract.objects.get(reference="SP-2026-001")
    expect(page.get_by_text("Awaiting authorisation").first).to_be_visible()
    shots(page, "spot-awaiting")

    page = login("manager")
    page.goto(f"{live_server.url}/admin/registers/contract/{contract.pk}/change/")
    page.get_by_role("link", name="Authorise spot purchase").click()
    page.select_option("#id_role", "head_of_service")
    page.check("#id_confirm")
    shots(page, "spot-authorise")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Authorise").click()
    expect(page.get_by_text("is authorised")).to_be_visible()
    page.get_by_role("tab", name="Dates and value").click()
    shots(page, "spot-active")
    expect(page.get_by_text("Active", exact=True).first).to_be_visible()

    page.goto(f"{live_server.url}/admin/registers/contract/{contract.pk}/history/")
    expect(
        page.get_by_text(re.compile("Spot purchase authorised in writing by Sarah Ahmed"))
    ).to_be_visible()
    shots(page, "spot-history")
    contract.refresh_from_db()
    assert contract.spot_requested_by.username == "support"
    assert contract.spot_authorised_by.username == "manager"


def _choose_autocomplete(page, field: str, term: str) -> None:
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.keyboard.type(term)
    page.locator(".select2-results__option", has_text=term).first.click()


def test_the_portal_works_with_a_keyboard_alone(live_server, page, shots, make_user):
    """Sign in and reach My visits with Tab and Enter only; focus is always visible."""
    make_user(roles.QA_OFFICER, username="qa1")
    page.goto(f"{live_server.url}/admin/login/")
    page.wait_for_load_state("networkidle")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_username":
            break
    page.keyboard.type("qa1")
    page.keyboard.press("Tab")
    page.keyboard.type("pass")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.wait_for_load_state("networkidle")
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        if focused.strip().endswith("My visits"):
            break
    else:
        pytest.fail("My visits cannot be reached with the Tab key")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + "
        "getComputedStyle(document.activeElement).boxShadow"
    )
    assert outline != "none none"
    shots(page, "keyboard-focus")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/admin/registers/visit/my/$"))
