"""A manager records a placement check as care in a static placement at an
unregistered setting and is refused (an illegal placement); then a supported
accommodation check whose page shows the setting's expired gas certificate."""

import pytest
from playwright.sync_api import expect

from registers import roles
from registers.dates import add_months
from registers.models import ComplianceDocumentKind, PlacementCheck
from tests.browser.conftest import serious_violations
from tests.factories import (
    ComplianceDocumentFactory,
    ProviderFactory,
    SettingFactory,
    today,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose_autocomplete(page, field: str, term: str) -> None:
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.keyboard.type(term)
    page.locator(".select2-results__option", has_text=term).first.click()


def _fill_check(page, *, setting: str, case_id: str, care: str) -> None:
    page.fill("#id_case_id", case_id)
    page.fill("#id_child_initials", "KM")
    _choose_autocomplete(page, "setting", setting)
    page.fill("#id_start_date", today().strftime("%d/%m/%Y"))
    page.select_option("#id_care_or_support", care)
    page.select_option("#id_static_or_mobile", "static")


def test_a_manager_is_refused_an_illegal_placement_then_sees_an_expired_document(
    live_server, page, login, shots, make_user
):
    make_user(roles.MANAGER, username="manager")
    provider = ProviderFactory(name="Harbour Housing Ltd")
    # Kinds are seeded by a migration that a transactional test's flush removes.
    gas = ComplianceDocumentKind.objects.get_or_create(
        name="Gas safety certificate",
        defaults={"default_validity_months": 12, "checked_for_placements": True},
    )[0]
    SettingFactory(
        urn=None, name="Crosby Road house", provision_type="Unregulated", provider=provider
    )
    flats = SettingFactory(
        urn=None,
        name="Harbour Lodge flats",
        provision_type="Supported accommodation",
        provider=provider,
    )
    issued = add_months(today(), -13)
    ComplianceDocumentFactory(
        kind=gas,
        provider=None,
        setting=flats,
        issue_date=issued,
        expiry_date=add_months(issued, 12),
    )

    login("manager")
    page.goto(f"{live_server.url}/admin/registers/placementcheck/add/")
    _fill_check(page, setting="Crosby Road", case_id="ICS-40211", care="care")
    page.get_by_role("button", name="Save", exact=True).click()
    error = page.locator(".errorlist, [class*='text-red']", has_text="illegal placement").first
    expect(error).to_be_visible()
    expect(page.get_by_text("Crosby Road house is not (it has no Ofsted URN)")).to_be_visible()
    shots(page, "placement-check-refused")
    assert serious_violations(page) == []
    assert not PlacementCheck.objects.exists()

    page.goto(f"{live_server.url}/admin/registers/placementcheck/add/")
    _fill_check(page, setting="Harbour Lodge", case_id="ICS-40212", care="support")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    check = PlacementCheck.objects.get(case_id="ICS-40212")
    assert check.decision == "unregulated"
    row = page.locator("tr", has_text="Gas safety certificate")
    expect(row).to_contain_text("Expired")
    expect(row).to_contain_text(add_months(issued, 12).strftime("%d/%m/%Y"))
    expect(page.get_by_text("Unregulated: registration not required")).to_be_visible()
    shots(page, "placement-check-expired-gas")
    assert serious_violations(page) == []

    # Sign-off is refused: answers missing, and the expired certificate needs a reason.
    page.get_by_role("link", name="Social worker sign-off").click()
    page.fill("#id_name", "Amy Clarke")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Answer these before signing off")).to_be_visible()
    expect(page.get_by_text("Gas safety certificate (expired")).to_be_visible()
    shots(page, "placement-check-sign-off-refused")
    assert serious_violations(page) == []
    check.refresh_from_db()
    assert check.social_worker_signed_on is None

    page.goto(f"{live_server.url}/admin/registers/placementcheck/?signed=awaiting")
    expect(page.locator("#result_list tbody tr", has_text="ICS-40212")).to_contain_text(
        "Awaiting sign-off"
    )
    shots(page, "placement-checks-awaiting-sign-off")
    assert serious_violations(page) == []
