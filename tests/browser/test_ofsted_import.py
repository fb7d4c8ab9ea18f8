"""A manager imports Ofsted's files in Chromium: a provider-level file and a
joiners-and-leavers file, each uploaded, previewed with its warnings, confirmed,
and its "what changed" report shown; a screenshot of each step."""

import re

import pytest
from playwright.sync_api import expect

from registers import roles
from registers.models import ImportRun, RegistrationStatus, Setting
from tests.browser.conftest import serious_violations
from tests.factories import ProviderFactory, SettingFactory
from tests.ofsted_files import JOINERS_LEAVERS, PROVIDERS_2023

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload_and_preview(page, live_server, shots, path, step: str):
    page.goto(f"{live_server.url}/admin/registers/setting/")
    page.get_by_role("link", name="Import Ofsted file").first.click()
    expect(page.get_by_role("heading", name="Import an Ofsted file")).to_be_visible()
    page.set_input_files('input[type="file"]', str(path))
    shots(page, f"{step}-1-chosen")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Preview: nothing has been written yet")).to_be_visible()


def test_manager_imports_a_provider_file_and_a_joiners_leavers_file(
    login, live_server, shots, make_user
):
    make_user(roles.MANAGER, username="manager", email="manager@example.org")
    # A setting in use that the 2021-22 file says has resigned.
    SettingFactory(urn="1027081", name="Break-away", provider=ProviderFactory())
    page = login("manager")

    upload_and_preview(page, live_server, shots, PROVIDERS_2023, "provider-file")
    expect(page.get_by_test_id("import-kind")).to_contain_text("Ofsted provider-level file")
    expect(
        page.get_by_role("heading", name=re.compile("2 warnings: imported as published"))
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile("monitoring inspection with a judgement")).first
    ).to_be_visible()
    shots(page, "provider-file-2-preview")
    assert serious_violations(page) == []
    assert not Setting.objects.exclude(urn="1027081").exists()

    page.get_by_role("button", name=re.compile("Confirm and import")).click()
    expect(page.get_by_text(re.compile("Imported providers_2023_excerpt.csv"))).to_be_visible()
    expect(page.get_by_role("link", name="Download the report as CSV")).to_be_visible()
    expect(page.get_by_text("New settings in the council's area").first).to_be_visible()
    shots(page, "provider-file-3-report")
    assert serious_violations(page) == []
    assert Setting.objects.count() == 28

    upload_and_preview(page, live_server, shots, JOINERS_LEAVERS[2022], "joiners-leavers")
    expect(page.get_by_test_id("import-kind")).to_contain_text("Ofsted joiners-and-leavers file")
    expect(page.get_by_text(re.compile("gives no date for the status Suspended"))).to_be_visible()
    shots(page, "joiners-leavers-2-preview")
    assert serious_violations(page) == []

    page.get_by_role("button", name=re.compile("Confirm and import")).click()
    expect(
        page.get_by_text(re.compile("Imported joiners_leavers_2022_excerpt.csv"))
    ).to_be_visible()
    expect(page.get_by_role("cell", name="Registration ended")).to_be_visible()
    shots(page, "joiners-leavers-3-report")
    left = Setting.objects.get(urn="1027081")
    assert left.registration_status == RegistrationStatus.RESIGNED
    assert left.placement_review_required

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report as CSV").click()
    assert "Registration ended,1027081" in download.value.path().read_text()

    page.goto(f"{live_server.url}/admin/registers/importrun/")
    expect(page.get_by_text("joiners_leavers_2022_excerpt.csv")).to_be_visible()
    shots(page, "import-runs")
    assert ImportRun.objects.count() == 2
