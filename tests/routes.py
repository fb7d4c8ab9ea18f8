"""Every URL route the portal serves, made concrete: shared by the tests that walk them."""

import re

from django.urls import URLPattern, URLResolver, get_resolver


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def fill(template: str, value: str) -> str | None:
    """A concrete URL from a route, every parameter set to ``value``."""
    url = template.replace("^", "").replace("$", "")
    url = re.sub(r"\(\?P<app_label>([a-z|]+)\)", lambda m: m.group(1).split("|")[0], url)
    url = re.sub(r"\(\?P<url>\.\*\)", "no-such-page/", url)
    url = re.sub(r"<[^>]+>", value, url)
    url = re.sub(r"\(\[\^/\]\+\)", value, url)
    if re.search(r"[()\[\]\\*?]", url):
        return None
    return "/" + url


def every_route() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def has_params(route: str) -> bool:
    return bool(re.search(r"<[^>]+>|\(\[\^/\]\+\)", route))


def model_of(route: str) -> str | None:
    match = re.match(r"admin/[a-z_]+/([a-z]+)/", route)
    return match.group(1) if match else None
