"""Business support records a provider's insurance that expires soon, and finds
it in the expiring list; a QA officer sees a children's home missing its
Regulation 44 report."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from registers import roles
from registers.dates import add_months
from registers.models import ComplianceDocument
from tests.browser.conftest import serious_violations
from tests.factories import (
    ComplianceDocumentKindFactory,
    ProviderFactory,
    SettingFactory,
    today,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _choose_autocomplete(page, field: str, term: str) -> None:
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.keyboard.type(term)
    page.locator(".select2-results__option", has_text=term).first.click()


def test_business_support_records_an_expiring_insurance_and_sees_it_listed(
    live_server, page, login, shots, make_user
):
    make_user(roles.BUSINESS_SUPPORT, username="support")
    ComplianceDocumentKindFactory(name="Public liability insurance", default_validity_months=12)
    ProviderFactory(name="Acorn Care Ltd")
    issued = today() - timedelta(days=350)  # a year's cover: expires in about 15 days
    expires = add_months(issued, 12)

    login("support")
    page.goto(f"{live_server.url}/admin/registers/compliancedocument/add/")
    page.select_option("#id_kind", label="Public liability insurance")
    _choose_autocomplete(page, "provider", "Acorn")
    page.fill("#id_reference", "PL-2291-AC")
    page.fill("#id_issue_date", issued.strftime("%d/%m/%Y"))
    shots(page, "compliance-add-insurance")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{live_server.url}/admin/registers/compliancedocument/")
    expect(page.get_by_text("was added successfully")).to_be_visible()

    document = ComplianceDocument.objects.get(reference="PL-2291-AC")
    assert document.expiry_date == expires  # the kind's 12 months from the issue date

    page.goto(f"{live_server.url}/admin/registers/compliancedocument/?expiry=30")
    row = page.locator("#result_list tbody tr", has_text="Acorn Care Ltd")
    expect(row).to_be_visible()
    expect(row).to_contain_text(expires.strftime("%d/%m/%Y"))
    expect(row).to_contain_text("Expiring")
    shots(page, "compliance-expiring-30-days")
    assert serious_violations(page) == []

    page.goto(f"{live_server.url}/admin/registers/compliancedocument/?expiry=expired")
    expect(page.locator("#result_list tbody tr", has_text="Acorn Care Ltd")).to_have_count(0)


def test_a_qa_officer_sees_a_home_missing_its_reports(live_server, page, login, shots, make_user):
    make_user(roles.QA_OFFICER, username="qa1")
    SettingFactory(name="Oak House", provider=ProviderFactory(name="Acorn Care Ltd"))
    login("qa1")
    page.goto(f"{live_server.url}/admin/registers/visit/due/")
    section = page.locator("section", has_text="missing a Regulation 44 or 45 report")
    expect(section).to_contain_text("Oak House")
    expect(section).to_contain_text("Reg 44 missing")
    shots(page, "regulation-reports-due")
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/admin/registers/setting/?reg_reports=missing")
    expect(page.locator("#result_list tbody tr", has_text="Oak House")).to_contain_text(
        "Reg 45 overdue"
    )
    shots(page, "regulation-reports-settings-list")
    assert serious_violations(page) == []
