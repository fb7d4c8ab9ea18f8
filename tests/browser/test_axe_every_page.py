"""Every page each role uses passes axe-core (no serious or critical violation):
the dashboard, each register's list, add page, a record's page and its history,
and the portal's own pages (my visits, calendar, imports, exports, the access
trail), for every role, the Commissioning officer included."""

from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.urls import reverse

from registers import roles
from tests.admin_fixtures import one_of_everything
from tests.browser.conftest import serious_violations
from tests.routes import every_route, has_params

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Routes that are not pages: downloads, redirects, JSON and the sign-out.
NOT_PAGES = (
    "autocomplete/",
    "jsi18n/",
    "login/",
    "logout/",
    "import/template/",
    "process_import/",
    "-start/",
    "confirm/",
    "search/",
    "saved-views/save/",
)
# Pages one template draws alike for every register: checked once per role.
ALIKE = ("history", "export", "import")


def kind(path: str) -> str | None:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last if last in ALIKE else None


def page_paths(records: dict) -> list[str]:
    paths = [
        "/" + route
        for route in every_route()
        if route.startswith("admin/") and not has_params(route) and not route.endswith(NOT_PAGES)
    ]
    for model in admin.site._registry:
        opts = model._meta
        obj = records.get(opts.model_name) or model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        for view in ("change", "history"):
            paths.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk]))
    return sorted(set(paths))


@pytest.mark.parametrize("role", roles.ROLES)
def test_every_page_a_role_uses_passes_axe(role, login, live_server, make_user, shots):
    user = make_user(role, username="someone", first_name="Sam", last_name="Jones")
    other = make_user(roles.MANAGER, username="other")
    records = one_of_everything(lead=user, manager=user)
    one_of_everything(lead=other, manager=other)  # and records that are not theirs
    page = login("someone")
    failures, opened, kinds = {}, [], set()
    for path in page_paths(records):
        if kind(path) is not None and kind(path) in kinds:
            continue
        response = page.goto(f"{live_server.url}{path}")
        if response is None or response.status != 200 or urlparse(page.url).path != path:
            continue  # refused or sent elsewhere: not a page this role uses
        opened.append(path)
        kinds.add(kind(path))
        found = serious_violations(page)
        if found:
            failures[path] = found
            shots(page, path.strip("/").replace("/", "-"))
    shots(page, "last-page")
    assert len(opened) >= 10, opened
    assert failures == {}, "\n".join(f"{path}: {found}" for path, found in failures.items())
