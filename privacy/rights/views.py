"""The person's own privacy pages at /account/privacy/: download a copy of their data
and ask for their erasure."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from filestore import private_file_response
from privacy.audit import audit
from privacy.rights import services
from privacy.rights.models import DataExport, ErasureRequest

# How often the page reloads itself while an export is being prepared (a meta refresh:
# no script, so nothing for the CSP to allow).
PROGRESS_REFRESH_SECONDS = 3


@login_required
@require_http_methods(["GET"])
def data_export_page(request):
    exports = list(DataExport.objects.filter(user=request.user)[:5])
    current = exports[0] if exports else None
    return render(
        request,
        "privacy_rights/data_export.html",
        {
            "exports": exports,
            "current": current,
            "refresh_seconds": PROGRESS_REFRESH_SECONDS
            if current is not None and current.in_progress
            else None,
        },
    )


@login_required
@require_POST
def data_export_start(request):
    export = services.data_export_request(user=request.user, request=request)
    if export.status == DataExport.Status.READY:
        messages.success(request, "Your download is ready.")
    else:
        messages.info(request, "We are preparing your data. This page shows how far it has got.")
    return redirect(reverse("privacy-data-export"))


@login_required
@require_http_methods(["GET"])
def data_export_download(request, token: str):
    try:
        export = services.data_export_for_link(token=token, user=request.user)
    except services.ExportLinkExpired:
        return render(request, "privacy_rights/data_export_expired.html", status=410)
    except services.ExportLinkInvalid:
        raise Http404("No such download.") from None
    audit(
        actor=request.user,
        action="download",
        subject_user_id=request.user.pk,
        object_type="data_export",
        object_id=export.pk,
        request=request,
    )
    return private_file_response(
        export.file_name,
        as_attachment=True,
        filename=f"aeyia-data-{export.created_at:%Y-%m-%d}.zip",
    )


@login_required
@require_http_methods(["GET", "POST"])
def erasure_request_page(request):
    pending = ErasureRequest.objects.filter(
        user=request.user, status=ErasureRequest.Status.PENDING
    ).first()
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return render(
                request,
                "privacy_rights/erasure_request.html",
                {"pending": pending, "error": "Tick the box to confirm you want this."},
                status=400,
            )
        services.erasure_request_create(user=request.user, request=request)
        messages.success(
            request,
            "We have your request. Our team will confirm it and email you when it is done.",
        )
        return redirect(reverse("privacy-erasure-request"))
    return render(request, "privacy_rights/erasure_request.html", {"pending": pending})
