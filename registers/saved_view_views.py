"""Saved views: "Save this view" on every list, and the page where a user
pins, deletes and (a manager) shares their views. Writes go through
registers.services.saved_views; the redirects go only to the portal's lists."""

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from registers.roles import ROLES
from registers.selectors.saved_views import (
    built_in_views,
    list_url,
    may_list,
    own_view,
    role_names,
    views_of,
)
from registers.services.saved_views import (
    SHARE_PERMISSION,
    saved_view_create,
    saved_view_delete,
    saved_view_pin,
    saved_view_share,
)


def _refusal(request, error: ValidationError) -> None:
    for messages_of_field in error.message_dict.values():
        for message in messages_of_field:
            messages.error(request, message)


@require_POST
def save(request):
    model = request.POST.get("model", "")
    query = request.POST.get("query", "")
    try:
        view = saved_view_create(
            user=request.user,
            name=request.POST.get("name", ""),
            model=model,
            query=query,
            pinned=request.POST.get("pinned") == "on",
        )
    except ValidationError as error:
        _refusal(request, error)
        # Back to the list only when it is one the user may open.
        if may_list(request.user, model):
            return HttpResponseRedirect(list_url(model, query))
        return HttpResponseRedirect(reverse("admin:index"))
    where = "It is pinned to your sidebar." if view.pinned else "Pin it to see it in the sidebar."
    messages.success(request, f"The view “{view.name}” is saved. {where}")
    return HttpResponseRedirect(list_url(view.model, view.query))


def _act(request) -> None:
    view = own_view(request.user, request.POST.get("view", ""))
    if view is None:
        raise PermissionDenied("You can change only your own views.")
    action = request.POST.get("do")
    if action in ("pin", "unpin"):
        saved_view_pin(user=request.user, view=view, pinned=action == "pin")
        messages.success(request, f"“{view.name}” is {'pinned' if view.pinned else 'unpinned'}.")
    elif action == "delete":
        saved_view_delete(user=request.user, view=view)
        messages.success(request, f"“{view.name}” is deleted.")
    elif action == "share":
        role = request.POST.get("role", "")
        group = Group.objects.filter(name=role, name__in=ROLES).first() if role else None
        if role and group is None:
            raise PermissionDenied("Share a view with one of the portal's roles.")
        saved_view_share(user=request.user, view=view, group=group)
        shared = f"shared with every {group.name}" if group else "no longer shared"
        messages.success(request, f"“{view.name}” is {shared}.")
    else:
        raise PermissionDenied("Unknown action.")


@require_http_methods(["GET", "POST"])
def index(request):
    if request.method == "POST":
        _act(request)
        return HttpResponseRedirect(reverse("saved_views:list"))
    user = request.user
    views = list(views_of(user).order_by("name", "id"))
    rows = [
        {"view": view, "url": list_url(view.model, view.query), "own": view.user_id == user.pk}
        for view in views
    ]
    context = {
        **admin.site.each_context(request),
        "title": "My views",
        "built_in": [
            {"view": view, "url": list_url(view.model, view.query)}
            for view in built_in_views(user, role_names(user))
        ],
        "own": [row for row in rows if row["own"]],
        "shared": [row for row in rows if not row["own"]],
        "may_share": user.has_perm(SHARE_PERMISSION),
        "roles": ROLES,
    }
    request.current_app = admin.site.name
    return TemplateResponse(request, "registers/admin/saved_views.html", context)
