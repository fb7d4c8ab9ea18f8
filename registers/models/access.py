"""Object-level permission tables (guardian) and portal-wide permissions."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


# Direct foreign keys: guardian's generic tables scale badly for these two.
class VisitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("registers.Visit", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class VisitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("registers.Visit", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class ContractUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("registers.Contract", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class ContractGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("registers.Contract", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("registers.Referral", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("registers.Referral", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class PortalPermission(models.Model):
    """Holds permissions that belong to no single register. Has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("revert_history", "Can revert a record to an earlier version")]

    def __str__(self) -> str:
        return "Portal permissions"


class ReminderLog(models.Model):
    """One row per reminder sent, so the daily job never sends one twice."""

    kind = models.CharField(max_length=50)
    recipient = models.CharField(max_length=254)
    sent_on = models.DateField()

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "sent_on"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} on {self.sent_on:%d/%m/%Y}"
