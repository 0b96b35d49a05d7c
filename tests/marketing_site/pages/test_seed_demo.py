"""`manage.py seed_demo` (run by `make run`): demo people for every role, the home page,
plans, credits and a sponsor voucher; running it twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from wagtail.models import Site

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_roles
from commerce.credits.selectors import credits_available
from commerce.partners.models import VoucherCode
from marketing_site.pages.models import HomePage

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_complete_and_idempotent():
    first = _seed()
    counts = (User.objects.count(), HomePage.objects.count(), VoucherCode.objects.count())
    second = _seed()

    assert (User.objects.count(), HomePage.objects.count(), VoucherCode.objects.count()) == counts
    for output in (first, second):
        assert "Demo logins" in output
        assert "/accounts/login/" in output
        assert "CALM-2026" in output

    expected = {
        "client@aeyia.local": Role.CLIENT,
        "practitioner@aeyia.local": Role.PRACTITIONER,
        "editor@aeyia.local": Role.EDITOR,
        "staff@aeyia.local": Role.STAFF,
        "partner@aeyia.local": Role.PARTNER,
    }
    for email, role in expected.items():
        user = User.objects.get(email=email)
        assert role in user_roles(user=user), email
        assert user.emailaddress_set.get().verified

    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert credits_available(user=User.objects.get(email="client@aeyia.local")) == 3
