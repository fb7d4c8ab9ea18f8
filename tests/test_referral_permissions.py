"""Brokerage referrals on every path, for every role: action pages and forged
POSTs, inline rows, bulk actions, history, autocomplete, the agreement PDF, the
services called directly, and the boundary between authorities."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registers import roles
from registers.models import Referral, ReferralSchedule, ReferralStatus
from registers.services.referral_awards import referral_award, referral_signed_copy_upload
from registers.services.referral_rounds import referral_send, response_record
from registers.services.referrals import referral_approve, referral_set_status, referral_withdraw
from tests.factories import (
    AuthorityFactory,
    LotFactory,
    ProviderFactory,
    ReferralFactory,
    home_authority,
)
from tests.helpers import change_form_data
from tests.routes import every_route

pytestmark = pytest.mark.django_db

ROLES = [
    roles.MANAGER,
    roles.BUSINESS_SUPPORT,
    roles.QA_OFFICER,
    roles.COMMISSIONING_OFFICER,
    roles.AUDITOR,
    roles.REGIONAL_LEAD,
    None,
]


@pytest.fixture
def world(make_user):
    owner = make_user(roles.COMMISSIONING_OFFICER, username="owner")
    boss = make_user(roles.MANAGER, username="boss")
    lot = LotFactory()
    alpha = ProviderFactory(name="Alpha Care", contact_email="")
    lot.providers.add(alpha)
    referral = ReferralFactory(lot=lot, allocated_worker=owner)
    other = ReferralFactory(lot=lot, allocated_worker=owner)
    return {"owner": owner, "boss": boss, "referral": referral, "other": other, "alpha": alpha}


def url(name, referral):
    return reverse(f"admin:registers_referral_{name}", args=[referral.pk])


def awarded(world):
    referral = world["referral"]
    referral_approve(referral=referral, user=world["boss"], panel_date=date.today())
    round_ = referral_send(referral=referral, user=world["owner"], provider_ids=[world["alpha"].pk])
    response = response_record(
        invitation=round_.invitations.get(),
        user=None,
        answer="full",
        channel="link",
        hourly_rate=20,
        start_date=referral.start_date,
    )
    referral_set_status(referral=referral, user=None, status=ReferralStatus.CLOSED, reason="t")
    referral_award(referral=referral, user=world["owner"], response=response, reason="Only offer")
    return referral


# Who may open each action page of a draft referral (the owner is a commissioning officer).
APPROVE = {roles.MANAGER}
WITHDRAW = {roles.MANAGER}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no role")
def test_action_pages_per_role_and_forged_posts_change_nothing(role, world, make_user, client_for):
    user = make_user(role) if role else make_user()
    client = client_for(user)
    referral = world["referral"]
    for name, allowed, data in (
        ("approve_page", APPROVE, {"panel_date": "01/11/2026"}),
        ("withdraw_page", WITHDRAW, {"reason": "Forged"}),
    ):
        get = client.get(url(name, referral))
        assert (get.status_code == 200) == (role in allowed), (name, get.status_code)
        if role not in allowed:
            assert client.post(url(name, referral), data).status_code in (302, 403, 404)
    referral.refresh_from_db()
    if role not in APPROVE:
        assert referral.status == ReferralStatus.DRAFT
    # Pages for other states are refused to everyone now.
    for name in ("send_page", "award_page", "close_page", "upload_signed_page", "reopen_page"):
        assert client.get(url(name, referral)).status_code in (302, 403, 404), name


def test_the_owner_may_withdraw_and_another_officer_may_not(world, make_user, client_for):
    other_officer = make_user(roles.COMMISSIONING_OFFICER)
    referral = world["referral"]
    response = client_for(other_officer).post(url("withdraw_page", referral), {"reason": "x"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        referral_withdraw(referral=referral, user=other_officer, reason="x")
    response = client_for(world["owner"]).post(url("withdraw_page", referral), {"reason": "Moved"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN


def test_services_refuse_the_wrong_people(world, make_user):
    referral = world["referral"]
    auditor = make_user(roles.AUDITOR)
    with pytest.raises(PermissionDenied):
        referral_approve(referral=referral, user=auditor, panel_date=date.today())
    referral_approve(referral=referral, user=world["boss"], panel_date=date.today())
    for user in (
        auditor,
        make_user(roles.BUSINESS_SUPPORT),
        make_user(roles.COMMISSIONING_OFFICER),
    ):
        with pytest.raises(PermissionDenied):
            referral_send(referral=referral, user=user, provider_ids=[world["alpha"].pk])


def test_only_the_owner_or_a_manager_uploads_the_signed_agreement(world, make_user):
    referral = awarded(world)
    support = make_user(roles.BUSINESS_SUPPORT)
    with pytest.raises(PermissionDenied):
        referral_signed_copy_upload(
            referral=referral,
            user=support,
            side="provider",
            file=SimpleUploadedFile("a.pdf", b"%PDF", "application/pdf"),
        )


def test_a_forged_inline_row_cannot_reach_another_referrals_days(world, client_for):
    client = client_for(world["owner"])
    referral, other = world["referral"], world["other"]
    theirs = other.schedule.first()
    page = client.get(url("change", referral))
    data = change_form_data(page)
    data["schedule-0-id"] = str(theirs.pk)
    data["schedule-0-hours"] = "23"
    client.post(url("change", referral), data)
    theirs.refresh_from_db()
    assert theirs.hours != 23 and theirs.referral == other


def test_a_sent_referrals_days_cannot_change(world, client_for):
    referral = world["referral"]
    referral_approve(referral=referral, user=world["boss"], panel_date=date.today())
    referral_send(referral=referral, user=world["owner"], provider_ids=[world["alpha"].pk])
    client = client_for(world["owner"])
    data = change_form_data(client.get(url("change", referral)))
    data["schedule-0-hours"] = "9"
    data["needs"] = "Changed after sending"
    client.post(url("change", referral), data)
    assert not ReferralSchedule.objects.filter(hours=9).exists()
    referral.refresh_from_db()
    assert referral.needs != "Changed after sending"


def test_bulk_delete_is_refused_to_officers(world, client_for):
    client = client_for(world["owner"])
    response = client.post(
        reverse("admin:registers_referral_changelist"),
        {"action": "delete_selected", "_selected_action": [world["referral"].pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert Referral.objects.filter(pk=world["referral"].pk).exists()


def test_the_owner_cannot_hand_the_referral_to_someone_else(world, make_user, client_for):
    client = client_for(world["owner"])
    data = change_form_data(client.get(url("change", world["referral"])))
    data["allocated_worker"] = world["boss"].pk
    client.post(url("change", world["referral"]), data)
    world["referral"].refresh_from_db()
    assert world["referral"].allocated_worker == world["owner"]


def test_autocomplete_for_providers_to_avoid(world, make_user, client_for):
    params = {
        "app_label": "registers",
        "model_name": "referral",
        "field_name": "providers_to_avoid",
        "term": "Alpha",
    }
    response = client_for(world["owner"]).get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200 and "Alpha Care" in response.content.decode()
    assert client_for(make_user()).get(reverse("admin:autocomplete"), params).status_code == 403


def test_another_authority_reaches_nothing_of_ours(world, make_user, client_for):
    referral = awarded(world)
    theirs = AuthorityFactory(name="Neighbouring Council")
    home_authority()
    stranger = make_user(roles.MANAGER)
    theirs.members.add(stranger)
    client = client_for(stranger)
    listing = client.get(reverse("admin:registers_referral_changelist")).content.decode()
    assert referral.number not in listing
    for name in ("change", "history", "agreement", "upload_signed_page", "reopen_page"):
        assert client.get(url(name, referral)).status_code in (302, 403, 404), name
    response = client.post(url("withdraw_page", referral), {"reason": "Forged"})
    assert response.status_code in (302, 403, 404)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWARDED


def test_history_is_read_where_the_referral_is(world, make_user, client_for):
    for role, seen in ((roles.AUDITOR, True), (roles.QA_OFFICER, False), (None, False)):
        client = client_for(make_user(role) if role else make_user())
        response = client.get(url("history", world["referral"]))
        assert (response.status_code == 200) == seen, role


def test_the_url_walk_includes_the_public_respond_page():
    assert "respond/<str:token>/" in every_route()
