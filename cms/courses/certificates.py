"""The certificate as a PDF (WeasyPrint), drawn from the certificate's own snapshot."""

from django.template.loader import render_to_string

from cms.courses.models import Certificate


def certificate_pdf(*, certificate: Certificate, request=None) -> bytes:
    """Renders the certificate to PDF bytes. The verification address is printed on it so
    anyone holding the paper can check it."""
    from weasyprint import HTML  # heavy import, needed only here

    verify_path = f"/certificates/{certificate.code}/"
    verify_url = request.build_absolute_uri(verify_path) if request is not None else verify_path
    html = render_to_string(
        "courses/certificate_pdf.html",
        {"certificate": certificate, "verify_url": verify_url},
    )
    # No base_url: the template is self-contained, so WeasyPrint never fetches anything.
    return HTML(string=html).write_pdf()
