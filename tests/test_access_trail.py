"""The trail of access changes: per-record grants and revocations, roles, account
flags, second-factor resets and lockout lifts, each with who and when, read by the
auditor in the portal."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from registers import roles
from registers.models import AccessEvent, AccessEventKind
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_granting_and_revoking_a_record_permission_is_recorded(manager, qa2):
    contract = ContractFactory(reference="C-TRAIL")
    url = reverse("admin:registers_contract_permissions_manage_user", args=[contract.pk, qa2.pk])
    client = as_user(manager)
    grant = {"permissions": ["change_contract"], "reason": "Covering Ana's leave"}
    assert client.post(url, grant).status_code == 302
    granted = AccessEvent.objects.get(kind=AccessEventKind.PERMISSION_GRANTED)
    assert (granted.actor, granted.subject, granted.detail) == (manager, qa2, "change_contract")
    assert granted.reason == "Covering Ana's leave"
    assert "C-TRAIL" in granted.record
    revoke = {"permissions": ["view_contract"], "reason": "Ana is back"}
    assert client.post(url, revoke).status_code == 302
    revoked = AccessEvent.objects.get(kind=AccessEventKind.PERMISSION_REVOKED)
    assert (revoked.actor, revoked.subject, revoked.detail) == (manager, qa2, "change_contract")
    assert revoked.reason == "Ana is back"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_record_permission_change_needs_a_reason(manager, qa2, reason):
    contract = ContractFactory(reference="C-WHY")
    url = reverse("admin:registers_contract_permissions_manage_user", args=[contract.pk, qa2.pk])
    client = as_user(manager)
    assert 'name="reason"' in client.get(url).content.decode()
    response = client.post(url, {"permissions": ["change_contract"], "reason": reason})
    assert response.status_code == 200
    assert "Say why this access is changing." in response.content.decode()
    assert not qa2.has_perm("registers.change_contract", contract)
    assert not AccessEvent.objects.filter(kind=AccessEventKind.PERMISSION_GRANTED).exists()


def test_the_auditor_reads_the_reason_for_a_grant(manager, qa2, auditor):
    contract = ContractFactory(reference="C-READ")
    url = reverse("admin:registers_contract_permissions_manage_user", args=[contract.pk, qa2.pk])
    as_user(manager).post(url, {"permissions": ["change_contract"], "reason": "Interim manager"})
    event = AccessEvent.objects.get(kind=AccessEventKind.PERMISSION_GRANTED)
    page = as_user(auditor).get(reverse("admin:registers_accessevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert "Interim manager" in page.content.decode()


def test_a_group_permission_on_a_record_is_recorded(manager):
    contract = ContractFactory()
    group = Group.objects.get(name=roles.AUDITOR)
    url = reverse("admin:registers_contract_permissions_manage_group", args=[contract.pk, group.pk])
    data = {"permissions": ["change_contract"], "reason": "Audit sample"}
    assert as_user(manager).post(url, data).status_code == 302
    event = AccessEvent.objects.get(kind=AccessEventKind.PERMISSION_GRANTED)
    assert (event.actor, event.group_name, event.reason) == (manager, roles.AUDITOR, "Audit sample")


def test_role_changes_through_the_user_page_are_recorded(superuser, make_user):
    person = make_user(roles.QA_OFFICER, username="changing")
    client = as_user(superuser)
    page = client.get(reverse("admin:auth_user_change", args=[person.pk]))
    assert page.status_code == 200
    auditor = Group.objects.get(name=roles.AUDITOR)
    data = {
        "username": "changing",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "",
        "groups": [auditor.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "09:00:00",
        "password": person.password,
    }
    response = client.post(reverse("admin:auth_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.content[:2000]
    kinds = {
        (event.kind, event.group_name, event.actor_id)
        for event in AccessEvent.objects.filter(subject=person)
    }
    assert (AccessEventKind.GROUP_JOINED, roles.AUDITOR, superuser.pk) in kinds
    assert (AccessEventKind.GROUP_LEFT, roles.QA_OFFICER, superuser.pk) in kinds
    flags = AccessEvent.objects.get(kind=AccessEventKind.ACCOUNT_FLAGS, subject=person)
    assert flags.detail == "Staff: yes → no"


def test_deactivation_is_recorded(make_user):
    person = make_user(username="leaver")
    person.is_active = False
    person.save()
    event = AccessEvent.objects.get(kind=AccessEventKind.ACCOUNT_FLAGS)
    assert (event.subject, event.detail, event.actor) == (person, "Active: yes → no", None)


def test_group_membership_from_the_group_side_is_recorded(make_user):
    person = make_user(username="joiner")
    Group.objects.get(name=roles.MANAGER).user_set.add(person)
    event = AccessEvent.objects.get(kind=AccessEventKind.GROUP_JOINED)
    assert (event.subject, event.group_name) == (person, roles.MANAGER)


@pytest.mark.parametrize("who", ["auditor", "manager"])
def test_the_auditor_and_managers_read_the_trail(who, request, make_user):
    person = make_user(username="leaver")
    person.is_active = False
    person.save()
    reader = request.getfixturevalue(who)
    page = as_user(reader).get(reverse("admin:registers_accessevent_changelist"))
    assert page.status_code == 200
    assert "leaver" in page.content.decode() and "Active: yes → no" in page.content.decode()


@pytest.mark.parametrize("who", ["support", "qa1", "officer"])
def test_other_roles_do_not_read_the_trail(who, request):
    user = request.getfixturevalue(who)
    page = as_user(user).get(reverse("admin:registers_accessevent_changelist"))
    assert page.status_code == 403


def test_nobody_edits_the_trail(manager, superuser, make_user):
    person = make_user(username="leaver")
    person.is_active = False
    person.save()
    event = AccessEvent.objects.get(kind=AccessEventKind.ACCOUNT_FLAGS)
    for user in (manager, superuser):
        client = as_user(user)
        assert client.get(reverse("admin:registers_accessevent_add")).status_code == 403
        delete = reverse("admin:registers_accessevent_delete", args=[event.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()
