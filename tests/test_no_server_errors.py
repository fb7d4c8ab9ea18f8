"""No input gives a server error: every URL the portal serves, walked as a Manager with
malformed ids, malformed query parameters and junk, answers with anything but a 500."""

import re
from html import unescape
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.test import Client

from registers.dates import parse_quarter
from tests.admin_fixtures import one_of_everything
from tests.routes import every_route, fill, has_params, model_of

pytestmark = pytest.mark.django_db

JUNK_IDS = ["abc", "-1", "99999999999999999999", "1 OR 1=1", "%00", "é"]
# Each page's own filters get these values.
JUNK_VALUES = ["junk", "99999999999999999999"]
# Parameters the lists, imports, exports and custom pages read, each with junk of its kind.
COMMON_PARAMS = {
    "format": "99",
    "quarter": "9999Q4",
    "p": "abc",
    "o": "abc.-99.x",
    "q": "\x00' OR 1=1 --<script>",
    "e": "1",
    "all": "",
    "_changelist_filters": "junk=%%%",
    "_to_field": "password",
    "_popup": "2",
    "date": "2026-02-30",
    "month": "13",
    "year": "10000",
    "start": "32/13/2026",
    "end": "1e999",
    "page": "-1",
    "token": "../../etc/passwd",
    "id__in": "a,b",
    "pk": "abc",
}


def _filter_keys(html: str) -> set[str]:
    """Query keys the page itself links to or submits: its filters, ordering and pages."""
    keys = set()
    for href in re.findall(r'href="(\?[^"]*)"', html):
        keys.update(key for key, _ in parse_qsl(unescape(href)[1:], keep_blank_values=True))
    keys.update(re.findall(r'<(?:input|select)[^>]*name="([^"]+)"', html))
    return {key for key in keys if key not in {"csrfmiddlewaretoken", "action", "_selected_action"}}


def _real_ids(records) -> dict[str, str]:
    ids = {}
    for name, obj in records.items():
        ids[name] = str(obj.pk)
    return ids


def _check(client: Client, method: str, url: str, failures: list, data=None):
    response = getattr(client, method)(url, data or {})
    if response.status_code >= 500:
        failures.append((method.upper(), url, data, response.status_code))
    return response


@pytest.fixture
def walker(manager):
    records = one_of_everything(lead=manager, manager=manager)
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    return client, _real_ids(records), records


def test_every_route_with_malformed_ids_gives_no_server_error(walker):
    client, ids, _ = walker
    failures = []
    for route in every_route():
        if not has_params(route):
            continue
        model = model_of(route)
        values = JUNK_IDS + ([ids[model]] if model in ids else [])
        for value in values:
            url = fill(route, quote(value, safe="%"))
            if url:
                _check(client, "get", url, failures)
        # Junk posted to the record's own page and its actions.
        real = ids.get(model, "1")
        url = fill(route, real)
        if url:
            _check(client, "post", url, failures, {"junk": "x", "action": "junk", "post": "yes"})
    assert failures == [], "\n".join(map(str, failures))


def test_every_page_with_malformed_query_parameters_gives_no_server_error(walker):
    client, ids, _ = walker
    failures = []
    for route in every_route():
        model = model_of(route)
        url = fill(route, ids.get(model, "1")) if has_params(route) else fill(route, "")
        if not url or "no-such-page" in url:
            continue
        # Record pages read few parameters: the common ones, all at once, are enough.
        if has_params(route):
            _check(client, "get", f"{url}?{urlencode(COMMON_PARAMS)}", failures)
            continue
        if route.endswith(("/add/", "/import/", "/process_import/")):
            _check(client, "get", f"{url}?{urlencode(COMMON_PARAMS)}", failures)
        else:
            for key, value in COMMON_PARAMS.items():
                _check(client, "get", f"{url}?{urlencode({key: value})}", failures)
        page = client.get(url)
        if page.status_code == 200 and "html" in page.get("Content-Type", ""):
            keys = sorted(_filter_keys(page.content.decode(errors="replace")))
            if route.endswith("/add/"):
                # An add page reads every field as an initial value together: one go each.
                for value in JUNK_VALUES:
                    _check(
                        client, "get", f"{url}?{urlencode(dict.fromkeys(keys, value))}", failures
                    )
                continue
            for key in keys:
                for value in JUNK_VALUES:
                    _check(client, "get", f"{url}?{urlencode({key: value})}", failures)
    assert failures == [], "\n".join(map(str, failures))


def test_changelist_filters_with_malformed_values_give_no_server_error(walker):
    """Every filter link a list offers, with each value swapped for junk."""
    client, _, _ = walker
    failures = []
    for route in every_route():
        if not re.fullmatch(r"admin/[a-z_]+/[a-z]+/", route):
            continue
        url = "/" + route
        page = client.get(url)
        html = page.content.decode(errors="replace")
        broken_keys = set()
        for href in sorted(set(re.findall(r'href="(\?[^"]*)"', html))):
            params = parse_qsl(unescape(href)[1:], keep_blank_values=True)
            for index in range(len(params)):
                # Each key once per list, alongside the other values its link carries.
                if params[index][0] in broken_keys:
                    continue
                broken_keys.add(params[index][0])
                for value in ("junk", "32/13/2026"):
                    broken = list(params)
                    broken[index] = (broken[index][0], value)
                    _check(client, "get", f"{url}?{urlencode(broken)}", failures)
    assert failures == [], "\n".join(map(str, failures))


def test_export_with_unknown_format_is_refused_not_a_server_error(walker):
    client, _, _ = walker
    response = client.get("/admin/registers/provider/export/?format=99")
    assert response.status_code in (200, 302)
    response = client.post("/admin/registers/provider/export/", {"format": "99"})
    assert response.status_code in (200, 302)


def test_transparency_quarter_out_of_range_is_a_clear_message(walker):
    client, _, _ = walker
    for quarter in ("9999Q4", "0000Q1", "0001Q1"):
        response = client.get("/admin/registers/contract/transparency/", {"quarter": quarter})
        assert response.status_code == 200
        assert "quarter" in response.content.decode().lower()
    with pytest.raises(ValueError, match="year"):
        parse_quarter("9999Q4")


def test_walker_reaches_the_import_export_and_portal_pages():
    """The walk covers the URL kinds the issue names, so none is silently skipped."""
    routes = every_route()
    for kind in ("export/", "import/", "history/", "delete/", "change/", "add/", "documents/"):
        assert any(kind in route for route in routes), kind
    assert urlsplit(fill("admin/registers/provider/<path:object_id>/change/", "7")).path == (
        "/admin/registers/provider/7/change/"
    )
