"""Contract documents are served only through a view that checks permission."""

from django.core.files.storage import Storage, storages
from django.urls import reverse


def protected_storage() -> Storage:
    """The default storage, except that its links go through registers.views."""
    base = storages["default"]

    class ProtectedStorage(type(base)):
        def url(self, name):
            return reverse("contract_document", args=[name])

    storage = ProtectedStorage.__new__(ProtectedStorage)
    storage.__dict__.update(base.__dict__)
    return storage
