"""A brokerage referral from draft to placement agreed (seed 004): the officer
writes Part A, a manager approves, the officer sends it, a provider answers on a
phone through their link, the officer compares and awards, and the signed
agreement comes back. Screenshots of each step."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from registers import roles
from registers.models import Referral, ReferralStatus
from registers.services.referral_rounds import referral_close_responses
from tests.browser.conftest import serious_violations
from tests.factories import LotFactory, ProviderFactory, SettingFactory, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_referral_from_draft_to_agreed(
    live_server, page, browser, login, shots, make_user, tmp_path
):
    officer = make_user(roles.COMMISSIONING_OFFICER, username="officer", email="o@c.gov.uk")
    make_user(roles.MANAGER, username="manager")
    lot = LotFactory(name="Short breaks")
    provider = ProviderFactory(name="Acorn Short Breaks", contact_email="acorn@p.example")
    SettingFactory(provider=provider, name="Acorn House")
    lot.providers.add(provider, ProviderFactory(name="Birch Care", contact_email="b@p.example"))

    # 1. The officer writes Part A, with the days and times in the table.
    login("officer")
    page.goto(f"{live_server.url}/admin/registers/referral/add/")
    page.fill("#id_child_initials", "JB")
    page.fill("#id_case_id", "MOS55501")
    page.select_option("#id_age_band", "5-11")
    page.select_option("#id_service_type", "short_breaks")
    page.select_option("#id_lot", str(lot.pk))
    page.fill("#id_needs", "Support to join play and leisure after school. Mum drops off.")
    start = today() + timedelta(days=28)
    page.fill("#id_start_date", start.strftime("%d/%m/%Y"))
    page.fill("#id_end_date", (start + timedelta(days=180)).strftime("%d/%m/%Y"))
    page.fill("#id_area", "LE4")
    page.get_by_text(re.compile("Add another day and time", re.I)).click()
    page.select_option("#id_schedule-0-day", "1")
    page.fill("#id_schedule-0-times", "15:30 to 18:30")
    page.fill("#id_schedule-0-hours", "3")
    shots(page, "brokerage-1-part-a")
    page.locator('button[name="_save"]').first.click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    referral = Referral.objects.get(case_id="MOS55501")
    assert referral.status == ReferralStatus.DRAFT and referral.schedule.count() == 1

    # 2. A manager approves it.
    login("manager")
    page.goto(f"{live_server.url}/admin/registers/referral/{referral.pk}/approve/")
    page.fill("#id_panel_date", today().strftime("%d/%m/%Y"))
    shots(page, "brokerage-2-approval")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("is approved")).to_be_visible()

    # 3. The officer confirms the providers and sends it.
    login("officer")
    page.goto(f"{live_server.url}/admin/registers/referral/{referral.pk}/send/")
    expect(page.get_by_label("Acorn Short Breaks")).to_be_checked()
    page.get_by_label("Birch Care").uncheck()
    shots(page, "brokerage-3-send")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("sent to 1 provider")).to_be_visible()
    (message,) = mail.outbox
    assert "MOS55501" not in message.body and "JB" not in message.body
    link = re.search(r"https?://[^/]+(/respond/[^/]+/)", message.body).group(1)

    # 4. The provider answers on a phone, by keyboard.
    phone = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
    mobile = phone.new_page()
    mobile.goto(f"{live_server.url}{link}")
    expect(mobile.get_by_role("heading", name=referral.number)).to_be_visible()
    assert "MOS55501" not in mobile.content()
    assert serious_violations(mobile) == []
    shots(mobile, "brokerage-4-provider-phone")
    mobile.get_by_label("Yes, in full").focus()
    mobile.keyboard.press("Space")
    mobile.get_by_label("Hourly rate (£)").fill("21.50")
    mobile.get_by_label("Date you could start").fill(start.strftime("%d/%m/%Y"))
    mobile.get_by_label("Notes").fill("Staff trained in Makaton.")
    mobile.get_by_label("Notes").press("Tab")
    mobile.keyboard.press("Enter")
    expect(mobile.get_by_role("status")).to_contain_text("response is recorded")
    shots(mobile, "brokerage-5-provider-answered")
    assert serious_violations(mobile) == []
    phone.close()

    # 5. The deadline passes; the officer compares and awards.
    referral.refresh_from_db()
    referral_close_responses(
        referral=referral, user=officer, today=referral.response_deadline + timedelta(days=1)
    )
    page.goto(f"{live_server.url}/admin/registers/referral/{referral.pk}/award/")
    expect(page.get_by_text("£64.50")).to_be_visible()  # 3 hours a week at £21.50
    expect(page.get_by_text("Acorn House: Not rated")).to_be_visible()
    page.select_option("#id_response", label="Acorn Short Breaks")
    page.fill("#id_reason", "The only full offer, starting when needed.")
    shots(page, "brokerage-6-compare-and-award")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Confirm").click()
    expect(
        page.get_by_text(re.compile("Awarded to Acorn Short Breaks: contract IPA-"))
    ).to_be_visible()

    # 6. The agreement for signature, and both signed copies back.
    with page.expect_download() as download:
        page.get_by_role("link", name="Agreement for signature (PDF)").click()
    signed = Path(tmp_path) / "signed.pdf"
    download.value.save_as(signed)
    for side in ("provider", "council"):
        page.goto(f"{live_server.url}/admin/registers/referral/{referral.pk}/upload-signed/")
        page.select_option("#id_side", side)
        page.set_input_files("#id_file", str(signed))
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_text("uploaded to the contract's documents")).to_be_visible()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AGREED
    expect(page.get_by_text("Placement agreed").first).to_be_visible()
    shots(page, "brokerage-7-placement-agreed")
