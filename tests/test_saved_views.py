"""Saved views: each user's own, saved from a list; pinned ones and those a
manager shares with a role in the sidebar; never another user's to change."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registers import roles
from registers.models import SavedView
from registers.services.saved_views import (
    saved_view_create,
    saved_view_delete,
    saved_view_pin,
    saved_view_share,
)

pytestmark = pytest.mark.django_db

CONTRACTS = reverse("admin:registers_contract_changelist")
LIST = reverse("saved_views:list")
SAVE = reverse("saved_views:save")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def sidebar_titles(client) -> list[str]:
    response = client.get(reverse("admin:index"))
    groups = response.context["sidebar_navigation"]
    mine = next(group for group in groups if group["title"] == "My views")
    return [item["title"] for item in mine["items"]]


def test_an_officer_saves_a_view_from_the_list_and_sees_it_in_the_sidebar(officer, client_for):
    client = client_for(officer)
    page = client.get(CONTRACTS, {"decision": "due", "o": "3"}).content.decode()
    assert "Save this view" in page
    response = client.post(
        SAVE,
        {
            "name": "Due soon",
            "model": "registers.contract",
            "query": "decision=due&o=3&p=2",
            "pinned": "on",
        },
    )
    view = SavedView.objects.get(user=officer)
    assert (view.name, view.model, view.query, view.pinned) == (
        "Due soon",
        "registers.contract",
        "decision=due&o=3",
        True,
    )
    assert response["Location"] == f"{CONTRACTS}?decision=due&o=3"
    assert sidebar_titles(client) == ["My contracts", "Due soon", "Manage my views"]


def test_built_in_views_follow_the_role(qa1, officer, auditor, client_for):
    assert sidebar_titles(client_for(qa1))[:1] == ["All my visits"]
    assert sidebar_titles(client_for(officer))[:1] == ["My contracts"]
    assert sidebar_titles(client_for(auditor)) == ["Manage my views"]


@pytest.mark.parametrize(
    "model",
    ["auth.user", "registers.authority", "registers.nothing", "https://evil.example", "", "x.y.z"],
)
def test_only_a_list_the_user_may_open_is_saved(officer, model, client_for):
    with pytest.raises(ValidationError) as refused:
        saved_view_create(user=officer, name="Bad", model=model, query="")
    assert "model" in refused.value.message_dict
    response = client_for(officer).post(SAVE, {"name": "Bad", "model": model, "query": ""})
    assert response["Location"] == reverse("admin:index")
    assert not SavedView.objects.exists()


def test_a_view_needs_a_name_unique_to_its_owner(officer, qa1):
    with pytest.raises(ValidationError) as refused:
        saved_view_create(user=officer, name=" ", model="registers.contract", query="")
    assert "name" in refused.value.message_dict
    saved_view_create(user=officer, name="Mine", model="registers.contract", query="")
    saved_view_create(user=qa1, name="Mine", model="registers.contract", query="")
    with pytest.raises(ValidationError):
        saved_view_create(user=officer, name="Mine", model="registers.visit", query="")


def test_a_view_keeps_only_its_query_never_an_address(officer, client_for):
    client_for(officer).post(
        SAVE,
        {"name": "Sneaky", "model": "registers.contract", "query": "//evil.example/?q=a&_popup=1"},
    )
    view = SavedView.objects.get()
    assert "_popup" not in view.query
    response = client_for(officer).get(reverse("admin:index"))
    links = [
        item["link_callback"] if "link_callback" in item else item["link"]
        for group in response.context["sidebar_navigation"]
        for item in group["items"]
        if item["title"] == "Sneaky"
    ]
    assert all(str(link).startswith(CONTRACTS + "?") for link in links)


def test_nobody_changes_or_deletes_another_users_view(officer, qa1, manager, client_for):
    view = saved_view_create(user=officer, name="Mine", model="registers.contract", query="")
    for other in (qa1, manager):
        for attempt in (
            lambda who=other: saved_view_pin(user=who, view=view, pinned=False),
            lambda who=other: saved_view_delete(user=who, view=view),
            lambda who=other: saved_view_share(user=who, view=view, group=None),
        ):
            with pytest.raises(PermissionDenied):
                attempt()
        client = client_for(other)
        for action in ("delete", "unpin", "share"):
            response = client.post(LIST, {"view": view.pk, "do": action})
            assert response.status_code == 403
        assert "Mine" not in client.get(LIST).content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_only_managers_share_and_the_role_sees_it_read_only(manager, officer, qa1, client_for):
    officers = Group.objects.get(name=roles.COMMISSIONING_OFFICER)
    own = saved_view_create(user=officer, name="Officer's", model="registers.contract", query="")
    with pytest.raises(PermissionDenied):
        saved_view_share(user=officer, view=own, group=officers)
    assert (
        client_for(officer)
        .post(LIST, {"view": own.pk, "do": "share", "role": roles.COMMISSIONING_OFFICER})
        .status_code
        == 403
        or SavedView.objects.get(pk=own.pk).shared_with is None
    )
    assert SavedView.objects.get(pk=own.pk).shared_with is None

    view = saved_view_create(
        user=manager,
        name="Key contracts",
        model="registers.contract",
        query="is_key_contract__exact=1",
    )
    client = client_for(manager)
    client.post(LIST, {"view": view.pk, "do": "share", "role": roles.COMMISSIONING_OFFICER})
    assert SavedView.objects.get(pk=view.pk).shared_with == officers

    assert "Key contracts" not in sidebar_titles(client_for(qa1))
    # client_for signs the one test client in as another user.
    officer_client = client_for(officer)
    assert "Key contracts" in sidebar_titles(officer_client)
    page = officer_client.get(LIST).content.decode()
    assert "Key contracts" in page
    assert officer_client.post(LIST, {"view": view.pk, "do": "delete"}).status_code == 403
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_a_manager_unshares_and_deletes_their_view(manager, officer, client_for):
    view = saved_view_create(user=manager, name="Team", model="registers.visit", query="")
    saved_view_share(
        user=manager, view=view, group=Group.objects.get(name=roles.COMMISSIONING_OFFICER)
    )
    client = client_for(manager)
    client.post(LIST, {"view": view.pk, "do": "share", "role": ""})
    assert SavedView.objects.get(pk=view.pk).shared_with is None
    assert "Team" not in sidebar_titles(client_for(officer))
    client_for(manager).post(LIST, {"view": view.pk, "do": "delete"})
    assert not SavedView.objects.exists()


def test_sharing_is_only_with_a_role_of_the_portal(manager, client_for):
    Group.objects.create(name="Someone else's group")
    view = saved_view_create(user=manager, name="Team", model="registers.visit", query="")
    response = client_for(manager).post(
        LIST, {"view": view.pk, "do": "share", "role": "Someone else's group"}
    )
    assert response.status_code == 403
    assert SavedView.objects.get(pk=view.pk).shared_with is None


def test_the_my_views_page_works_for_every_role(
    manager, support, qa1, officer, auditor, client_for
):
    for user in (manager, support, qa1, officer, auditor):
        assert client_for(user).get(LIST).status_code == 200


def test_pinning_and_unpinning_changes_the_sidebar(officer, client_for):
    view = saved_view_create(user=officer, name="Later", model="registers.contract", query="")
    client = client_for(officer)
    assert "Later" not in sidebar_titles(client)
    client.post(LIST, {"view": view.pk, "do": "pin"})
    assert "Later" in sidebar_titles(client)
    client.post(LIST, {"view": view.pk, "do": "unpin"})
    assert "Later" not in sidebar_titles(client)


def test_the_my_views_page_and_the_sidebar_cost_the_same_queries_with_many_views(
    manager, officer, client_for
):
    def measure(client) -> tuple[int, int]:
        counts = []
        for url in (LIST, reverse("admin:index")):
            client.get(url)
            with CaptureQueriesContext(connection) as context:
                assert client.get(url).status_code == 200
            counts.append(len(context.captured_queries))
        return tuple(counts)

    group = Group.objects.get(name=roles.COMMISSIONING_OFFICER)
    saved_view_create(user=officer, name="Own 0", model="registers.contract", query="", pinned=True)
    shared = saved_view_create(user=manager, name="Shared 0", model="registers.visit", query="")
    saved_view_share(user=manager, view=shared, group=group)
    client = client_for(officer)
    few = measure(client)
    for n in range(1, 12):
        saved_view_create(user=officer, name=f"Own {n}", model="registers.contract", query="")
        view = saved_view_create(
            user=manager, name=f"Shared {n}", model="registers.visit", query=""
        )
        saved_view_share(user=manager, view=view, group=group)
    assert measure(client) == few
    assert max(few) <= 15
