"""Access changes made through Django's own pages (users, groups, passwords) reach
the services here: sessions end and the access trail records them. The person
making the change is the request's user, which simple-history's middleware holds."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from registers.services.security import (
    ACCOUNT_FLAGS,
    account_flags_record,
    group_membership_record,
)
from registers.services.sessions import sessions_end_all

logger = logging.getLogger(__name__)
User = get_user_model()


def _actor():
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(user_logged_out, dispatch_uid="portal-end-sessions-on-logout")
def end_sessions_on_logout(sender, request, user, **kwargs):
    if user is not None:
        sessions_end_all(user_id=user.pk)


@receiver(pre_save, sender=User, dispatch_uid="portal-user-before")
def remember_user_before(sender, instance, **kwargs):
    fields = ["password", *ACCOUNT_FLAGS]
    instance._portal_before = sender.objects.filter(pk=instance.pk).values(*fields).first()


@receiver(post_save, sender=User, dispatch_uid="portal-user-after")
def user_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_portal_before", None)
    if created or before is None:
        return
    account_flags_record(actor=_actor(), user=instance, before=before)
    if before["password"] != instance.password or (before["is_active"] and not instance.is_active):
        # The user's own current session survives a password change: Django's
        # update_session_auth_hash copies it to a new key straight after this.
        sessions_end_all(user_id=instance.pk)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="portal-user-groups")
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        # Which groups a clear removes is only known before it happens.
        users = [instance] if not reverse else list(instance.user_set.all())
        instance._portal_cleared = {
            user.pk: list(
                (
                    user.groups.all() if not reverse else Group.objects.filter(pk=instance.pk)
                ).values_list("name", flat=True)
            )
            for user in users
        }
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    actor = _actor()
    if action == "post_clear":
        for user_id, names in getattr(instance, "_portal_cleared", {}).items():
            user = instance if not reverse else User.objects.get(pk=user_id)
            group_membership_record(actor=actor, user=user, groups=names, joined=False)
        return
    joined = action == "post_add"
    if not reverse:
        names = list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        group_membership_record(actor=actor, user=instance, groups=names, joined=joined)
    else:
        for user in User.objects.filter(pk__in=pk_set):
            group_membership_record(actor=actor, user=user, groups=[instance.name], joined=joined)
