"""PDFs are rendered from the portal's templates and never fetch anything."""

import io

from pypdf import PdfReader

from registers.pdfs import pdf_render


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_pdf_carries_the_templates_text_escaped():
    pdf = pdf_render(
        template="registers/pdf/base.html",
        context={"title": "Visit report", "authority_name": "Sefton Council"},
    )
    assert pdf.startswith(b"%PDF")
    assert "Sefton Council" in _text(pdf)


def test_a_pdf_does_not_load_files_or_urls(tmp_path, settings):
    # Were the stylesheet loaded, its rule would print the secret after the body.
    secret = tmp_path / "secret.css"
    secret.write_text('p::after { content: " TOP SECRET"; }')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    (tmp_path / "doc.html").write_text(
        f'<html><head><link rel="stylesheet" href="file://{secret}"></head>'
        "<body><p>Body</p>"
        '<img src="http://127.0.0.1:9/x.png"><object data="file:///etc/passwd"></object>'
        "</body></html>"
    )
    pdf = pdf_render(template="doc.html", context={})
    text = _text(pdf)
    assert "Body" in text
    assert "TOP SECRET" not in text
    assert "root:" not in text
