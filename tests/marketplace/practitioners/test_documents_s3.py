"""Credential documents on the production storage (a private S3 bucket under moto): an
upload through the onboarding step lands in the bucket and nowhere on the local file
system (the container's is read-only), and the checked view redirects the owner and
staff to a short-lived signed URL while everyone else gets 404."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from marketplace.practitioners.models import Credential, PractitionerProfile
from tests.accounts.factories import UserFactory, enrol_totp
from tests.filestore.s3 import BUCKET, s3_private_storage
from tests.marketplace.practitioners.factories import PractitionerProfileFactory, pdf_bytes

pytestmark = pytest.mark.django_db

BASE = "/dashboard/practice/onboarding/"


def _user(email, *roles):
    user = UserFactory(email=email, roles=list(roles))
    enrol_totp(user)
    return user


def test_documents_live_in_the_private_bucket_behind_the_checked_view(client, settings, tmp_path):
    local = tmp_path / "local"
    settings.MEDIA_ROOT = str(local / "media")
    settings.PRIVATE_MEDIA_ROOT = local / "private"
    owner = PractitionerProfileFactory(
        user=_user("owner@example.org", Role.PRACTITIONER),
        status=PractitionerProfile.Status.DRAFT,
    )
    other = PractitionerProfileFactory(user=_user("other@example.org", Role.PRACTITIONER))
    staff = _user("staff@example.org", Role.STAFF)

    with s3_private_storage(settings, max_age=60) as s3:
        client.force_login(owner.user)
        response = client.post(
            f"{BASE}credentials/",
            {
                "kind": "insurance",
                "title": "Indemnity",
                "issuer": "Balens",
                "expires_on": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
                "document": SimpleUploadedFile("policy.pdf", pdf_bytes(), "application/pdf"),
            },
        )
        assert response.status_code == 302
        credential = Credential.objects.get(practitioner=owner)
        name = credential.document.name
        stored = s3.get_object(Bucket=BUCKET, Key=f"private/{name}")
        assert stored["Body"].read() == pdf_bytes()
        assert credential.document.url == f"{BASE}credentials/{credential.pk}/document/"

        answers = {}
        for label, user in (("owner", owner.user), ("staff", staff), ("other", other.user)):
            client.force_login(user)
            answers[label] = client.get(credential.document.url)
        client.logout()
        answers["anonymous"] = client.get(credential.document.url)

    assert name.startswith(f"credentials/{owner.pk}/") and name.endswith(".pdf")
    assert not local.exists(), "nothing may be written to the local file system"
    for label in ("owner", "staff"):
        answer = answers[label]
        assert answer.status_code == 302, label
        assert answer["Cache-Control"] == "private, no-store"
        url = urlsplit(answer["Location"])
        query = parse_qs(url.query)
        assert BUCKET in url.netloc + url.path and url.path.endswith(f"/private/{name}")
        assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
        assert query["response-content-disposition"][0].startswith("attachment;")
    assert answers["other"].status_code == 404
    assert answers["anonymous"].status_code == 404
