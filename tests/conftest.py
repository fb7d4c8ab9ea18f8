import pytest
from django.contrib.auth.models import Group

from registers import roles
from tests.factories import UserFactory


@pytest.fixture
def make_user(db):
    def make(role: str | None = None, **kwargs):
        user = UserFactory(**kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def manager(make_user):
    return make_user(roles.MANAGER, username="t_manager")


@pytest.fixture
def support(make_user):
    return make_user(roles.BUSINESS_SUPPORT, username="t_support")


@pytest.fixture
def qa1(make_user):
    return make_user(roles.QA_OFFICER, username="t_qa1")


@pytest.fixture
def qa2(make_user):
    return make_user(roles.QA_OFFICER, username="t_qa2")


@pytest.fixture
def officer(make_user):
    return make_user(roles.COMMISSIONING_OFFICER, username="t_officer")


@pytest.fixture
def auditor(make_user):
    return make_user(roles.AUDITOR, username="t_auditor")


@pytest.fixture
def superuser(make_user):
    return make_user(username="t_root", is_superuser=True)


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login
