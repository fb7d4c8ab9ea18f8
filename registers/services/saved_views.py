"""Saving, pinning, sharing and deleting a user's saved list views.

A view is its owner's: only they pin or delete it. A manager (share_savedview)
may share their own view with a role; its members then see it, read only.
"""

import logging

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from registers.models import SavedView
from registers.permissions import Actor
from registers.selectors.saved_views import MAX_QUERY, clean_query, may_list, sidebar_changed
from registers.services.recording import log_write

logger = logging.getLogger(__name__)

SHARE_PERMISSION = "registers.share_savedview"


def saved_view_create(
    *, user: Actor, name: str, model: str, query: str, pinned: bool = False
) -> SavedView:
    """Save the list of ``model`` with ``query`` (filters, search, ordering) as ``name``."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the view a name."
    elif len(name) > SavedView._meta.get_field("name").max_length:
        errors["name"] = "A view's name is at most 80 characters."
    elif SavedView.objects.filter(user=user, name=name).exists():
        errors["name"] = f"You already have a view named “{name}”."
    if not may_list(user, model):
        errors["model"] = "This is not a list you can open, so it cannot be saved as a view."
    query = clean_query(query or "")
    if len(query) > MAX_QUERY:
        errors["query"] = "This list's filters are too long to save."
    if errors:
        raise ValidationError(errors)
    view = SavedView.objects.create(user=user, name=name, model=model, query=query, pinned=pinned)
    _sidebars_changed()
    log_write(logger, "saved_view.created", user=user, view=view.pk, model=model)
    return view


def _sidebars_changed() -> None:
    # Now, for this request's next page, and again after commit, in case another
    # request read the sidebars between the two.
    sidebar_changed()
    transaction.on_commit(sidebar_changed)


def _own(*, user: Actor, view: SavedView) -> None:
    if user is None or view.user_id != user.pk:
        raise PermissionDenied("Only the person who saved a view may change or delete it.")


def saved_view_pin(*, user: Actor, view: SavedView, pinned: bool) -> SavedView:
    _own(user=user, view=view)
    view.pinned = pinned
    view.save(update_fields=["pinned"])
    _sidebars_changed()
    log_write(logger, "saved_view.pinned", user=user, view=view.pk, pinned=pinned)
    return view


def saved_view_share(*, user: Actor, view: SavedView, group: Group | None) -> SavedView:
    """Share the manager's own view with a role (``group``), or stop sharing it (None)."""
    _own(user=user, view=view)
    if not user.has_perm(SHARE_PERMISSION):
        raise PermissionDenied("Only managers share views with a role.")
    view.shared_with = group
    view.save(update_fields=["shared_with"])
    _sidebars_changed()
    log_write(
        logger, "saved_view.shared", user=user, view=view.pk, role=group.name if group else "-"
    )
    return view


@transaction.atomic
def saved_view_delete(*, user: Actor, view: SavedView) -> None:
    _own(user=user, view=view)
    pk = view.pk
    view.delete()
    _sidebars_changed()
    log_write(logger, "saved_view.deleted", user=user, view=pk)
