"""Request-scoped caches."""

from registers.permissions import permission_cache


class PermissionCacheMiddleware:
    """Permission answers are read once per request: a page asks the same
    question of the same record many times (buttons, inlines, forms)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with permission_cache():
            return self.get_response(request)
