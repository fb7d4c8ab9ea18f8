"""Every response carries a Content-Security-Policy that allows no inline script."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def check(response):
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    assert any(value.startswith("'nonce-") for value in directives["script-src"]) or (
        directives["script-src"] == ["'self'", "'unsafe-eval'"]
    )
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


def test_every_kind_of_response_has_the_policy(manager, auditor):
    anonymous = Client()
    responses = [
        anonymous.get("/admin/login/"),
        anonymous.get("/admin/"),  # redirect to sign in
        anonymous.get("/no-such-page/"),  # 404
        anonymous.post("/admin/login/", {"username": "x", "password": "y"}),
        anonymous.get("/account/second-factor/"),
    ]
    client = Client()
    client.force_login(manager)
    responses += [
        client.get("/admin/"),
        client.get("/admin/registers/provider/"),
        client.get("/admin/registers/provider/add/"),
        client.get("/admin/registers/provider/export/"),
        client.get("/admin/registers/accessevent/"),
        client.get("/account/second-factor/set-up/"),
    ]
    reader = Client()
    reader.force_login(auditor)
    responses.append(reader.get("/admin/registers/provider/add/"))  # 403
    for response in responses:
        check(response)


def test_the_lockout_page_has_the_policy(support):
    client = Client()
    for _ in range(6):
        response = client.post("/admin/login/", {"username": "t_support", "password": "no"})
    assert response.status_code == 429
    check(response)
