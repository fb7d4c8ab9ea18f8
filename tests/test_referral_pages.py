"""Brokerage referrals through the admin: Part A with its days and times, each
action page (approve, send, record, close, award, upload), the agreement PDF
and the brokerage lists, for each role, within each authority."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from registers import roles
from registers.models import (
    Contract,
    Referral,
    ReferralInvitation,
    ReferralResponse,
    ReferralStatus,
)
from registers.services.referral_rounds import referral_send, response_record
from registers.services.referrals import referral_approve, referral_set_status
from tests.factories import (
    AuthorityFactory,
    LotFactory,
    ProviderFactory,
    ReferralFactory,
    home_authority,
)
from tests.helpers import add_inline_form, change_form_data

pytestmark = pytest.mark.django_db


def page(name, referral):
    return reverse(f"admin:registers_referral_{name}", args=[referral.pk])


@pytest.fixture
def setup(make_user):
    officer = make_user(roles.COMMISSIONING_OFFICER, username="broker", email="b@c.gov.uk")
    boss = make_user(roles.MANAGER, username="boss")
    lot = LotFactory()
    alpha = ProviderFactory(name="Alpha Care", contact_email="alpha@p.example")
    beta = ProviderFactory(name="Beta Care", contact_email="beta@p.example")
    lot.providers.add(alpha, beta)
    referral = ReferralFactory(lot=lot, allocated_worker=officer)
    return {"officer": officer, "boss": boss, "lot": lot, "referral": referral, "alpha": alpha}


def test_an_officer_makes_a_referral_with_its_days_and_times(setup, client_for):
    client = client_for(setup["officer"])
    add = reverse("admin:registers_referral_add")
    form = client.get(add)
    assert form.status_code == 200
    data = change_form_data(form)
    data.update(
        {
            "case_id": "MOS12345",
            "child_initials": "AB",
            "age_band": "5-11",
            "service_type": "domiciliary",
            "lot": setup["lot"].pk,
            "needs": "Help getting ready for school.",
            "start_date": "01/02/2027",
            "end_date": "31/07/2027",
            "area": "LE4",
            "travel_limits": "None",
            "additional_notes": "None",
            "allocated_worker": setup["officer"].pk,
        }
    )
    add_inline_form(data, "schedule", {"day": "0", "times": "07:00 to 08:30", "hours": "1.5"})
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    referral = Referral.objects.get(case_id="MOS12345")
    assert referral.status == ReferralStatus.DRAFT
    assert referral.schedule.get().hours == 1.5
    assert referral.history.first().history_user == setup["officer"]


def test_a_full_postcode_for_the_area_is_refused(setup, client_for):
    client = client_for(setup["officer"])
    url = reverse("admin:registers_referral_change", args=[setup["referral"].pk])
    data = change_form_data(client.get(url))
    data["area"] = "LE4 6AB"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "district" in str(response.context["adminform"].form.errors["area"])


def test_from_draft_to_agreed_through_the_pages(
    setup, client_for, django_capture_on_commit_callbacks
):
    referral, officer, boss = setup["referral"], setup["officer"], setup["boss"]
    client = client_for(officer)
    # Officers do not approve; managers do.
    assert client.get(page("approve_page", referral)).status_code == 403
    client = client_for(boss)
    response = client.post(page("approve_page", referral), {"panel_date": "01/11/2026"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.APPROVED

    client = client_for(officer)
    send = client.get(page("send_page", referral))
    assert send.status_code == 200
    html = send.content.decode()
    assert "Alpha Care" in html and "Beta Care" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page("send_page", referral), {"providers": [setup["alpha"].pk]})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert [m.to for m in mail.outbox] == [["alpha@p.example"]]

    invitation = ReferralInvitation.objects.get()
    response = client.post(
        page("record_response_page", referral),
        {
            "provider": invitation.pk,
            "channel": "phone",
            "answer": "full",
            "hourly_rate": "20",
            "start_date": (referral.start_date).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    assert ReferralResponse.objects.get().channel == "phone"

    # The deadline passes (the daily job would close it).
    referral_set_status(referral=referral, user=None, status=ReferralStatus.CLOSED, reason="t")
    award = client.get(page("award_page", referral))
    assert award.status_code == 200 and "Cost per week" in award.content.decode()
    response = client.post(
        page("award_page", referral),
        {"response": ReferralResponse.objects.get().pk, "reason": "Only offer, starts on time"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWARDED
    assert Contract.objects.get().procurement_route == "individual_placement"

    pdf = client.get(page("agreement", referral))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Individual placement agreement" in text and referral.case_id in text

    for side in ("provider", "council"):
        response = client.post(
            page("upload_signed_page", referral),
            {
                "side": side,
                "file": SimpleUploadedFile(f"{side}.pdf", b"%PDF-1.4", "application/pdf"),
            },
        )
        assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AGREED
    assert referral.contract.documents.count() == 2


def test_business_support_records_responses_but_not_sends(setup, make_user, client_for):
    referral = setup["referral"]
    referral_approve(referral=referral, user=setup["boss"], panel_date=date.today())
    referral_send(referral=referral, user=setup["officer"], provider_ids=[setup["alpha"].pk])
    client = client_for(make_user(roles.BUSINESS_SUPPORT))
    assert client.get(page("record_response_page", referral)).status_code == 200
    assert client.get(page("send_page", referral)).status_code == 403
    assert client.get(page("withdraw_page", referral)).status_code == 403
    url = reverse("admin:registers_referral_change", args=[referral.pk])
    page_html = client.get(url)
    assert page_html.status_code == 200


def test_another_officer_sees_but_cannot_change(setup, make_user, client_for):
    other = make_user(roles.COMMISSIONING_OFFICER)
    client = client_for(other)
    url = reverse("admin:registers_referral_change", args=[setup["referral"].pk])
    response = client.get(url)
    assert response.status_code == 200
    data = change_form_data(response)
    data["needs"] = "Forged"
    assert client.post(url, data).status_code == 403
    assert client.get(page("withdraw_page", setup["referral"])).status_code == 403
    setup["referral"].refresh_from_db()
    assert setup["referral"].needs != "Forged"


def test_another_authoritys_referrals_are_out_of_reach(setup, make_user, client_for):
    ours = home_authority()
    theirs = AuthorityFactory(name="Neighbouring Council")
    boss = make_user(roles.MANAGER)
    ours.members.add(boss)
    Referral.objects.update(authority=theirs)
    client = client_for(boss)
    referral = setup["referral"]
    assert client.get(reverse("admin:registers_referral_changelist")).status_code == 200
    assert (
        referral.number
        not in client.get(reverse("admin:registers_referral_changelist")).content.decode()
    )
    for name in ("change", "history", "approve_page", "agreement"):
        assert client.get(page(name, referral)).status_code in (302, 403, 404), name


def test_lists_and_deadline_countdown(setup, client_for):
    referral = setup["referral"]
    referral_approve(referral=referral, user=setup["boss"], panel_date=date.today())
    referral_send(referral=referral, user=setup["officer"], provider_ids=[setup["alpha"].pk])
    client = client_for(setup["officer"])
    changelist = reverse("admin:registers_referral_changelist")
    for name, shown in (
        ("mine", True),
        ("awaiting", True),
        ("no_offer", False),
        ("agreement", False),
    ):
        html = client.get(changelist, {"list": name}).content.decode()
        assert (referral.number in html) == shown, name
    html = client.get(changelist).content.decode()
    assert re.search(r"\d working days? left", html)
    referral.response_deadline = date.today() - timedelta(days=1)
    referral.save()
    html = client.get(changelist, {"list": "no_offer"}).content.decode()
    assert referral.number in html
    invitation = ReferralInvitation.objects.get()
    invitation.expires_at = invitation.expires_at  # still open to the officer
    response_record(
        invitation=invitation,
        user=setup["officer"],
        answer="full",
        channel="email",
        hourly_rate=20,
        start_date=referral.start_date,
    )
    html = client.get(changelist, {"list": "no_offer"}).content.decode()
    assert referral.number not in html
