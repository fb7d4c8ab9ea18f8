"""Uploaded documents are served only through views that check permission.

Each kind of document has its own storage callable (named in migrations), whose
links go to the view that asks whether the user may see the record it belongs to.
"""

from django.core.files.storage import Storage, storages
from django.urls import reverse


def _linked_storage(url_name: str) -> Storage:
    """The default storage, except that its links go through registers.views."""
    base = storages["default"]

    class ProtectedStorage(type(base)):
        def url(self, name):
            return reverse(url_name, args=[name])

    storage = ProtectedStorage.__new__(ProtectedStorage)
    storage.__dict__.update(base.__dict__)
    return storage


def protected_storage() -> Storage:
    """Contract documents."""
    return _linked_storage("contract_document")


def compliance_storage() -> Storage:
    """Providers' and settings' compliance documents."""
    return _linked_storage("compliance_document")


def regulation_report_storage() -> Storage:
    """Children's homes' Regulation 44 and 45 reports."""
    return _linked_storage("regulation_report")


def visit_report_storage() -> Storage:
    """QA visit reports (the PDFs issued to providers)."""
    return _linked_storage("visit_report")


def concern_letter_storage() -> Storage:
    """Concerns' stage 3 escalation letters."""
    return _linked_storage("concern_letter")
