"""PDF documents (visit reports, letters, agreements) rendered from the portal's
own HTML templates by WeasyPrint.

Templates extend ``registers/pdf/base.html``, which sets the council's A4 layout:
its name in the header, the document's title, and page numbers in the footer.
"""

import logging
from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

# A document is rendered from the database's text: it must never reach the network
# or the file system (a pasted <img src="file:///etc/passwd">). Inline data only.
_NO_FETCHING = URLFetcher(allowed_protocols={"data"}, timeout=1)


def pdf_render(*, template: str, context: dict[str, Any]) -> bytes:
    """The PDF of ``template`` rendered with ``context`` (autoescaped as HTML)."""
    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_NO_FETCHING).write_pdf()
