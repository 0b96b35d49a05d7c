"""`manage.py seed_demo`: demo people and content for the embedded default. Safe to run
again: existing rows are kept."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant, user_create
from cms.contentful_sync.services import contentful_sync_run
from cms.courses.demo import seed_courses
from cms.library.demo import seed_library
from commerce.bookings.demo import seed_care_record_demo, seed_practitioner_directory
from commerce.demo import seed_commerce
from marketing_site.leads.demo import seed_leads
from marketing_site.pages.demo import seed_home_page, seed_site
from marketplace.clients.services import client_profile_ensure
from marketplace.practitioners.demo import seed_onboarding_demo
from marketplace.practitioners.services import practitioner_profile_ensure

DEMO_PASSWORD = "aeyia-demo-2026"  # noqa: S105  (demo data for the offline default only)

DEMO_PEOPLE = [
    ("client@aeyia.local", "Clara", "Client", (Role.CLIENT,)),
    ("practitioner@aeyia.local", "Priya", "Practitioner", (Role.PRACTITIONER,)),
    ("editor@aeyia.local", "Eli", "Editor", (Role.EDITOR,)),
    ("staff@aeyia.local", "Sam", "Staff", (Role.STAFF,)),
    ("partner@aeyia.local", "Pat", "Partner", (Role.PARTNER,)),
]


class Command(BaseCommand):
    help = "Seed demo users and content (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for email, first_name, last_name, roles in DEMO_PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = user_create(
                    email=email,
                    password=DEMO_PASSWORD,
                    first_name=first_name,
                    last_name=last_name,
                    is_email_verified=True,
                )
            for role in roles:
                if role is Role.CLIENT:
                    client_profile_ensure(user=user)
                elif role is Role.PARTNER:
                    continue  # made a partner admin by seed_commerce
                elif role is Role.PRACTITIONER:
                    practitioner_profile_ensure(user=user, display_name=f"{first_name} Patel")
                else:
                    role_grant(user=user, role=role)
        seed_home_page()
        extra = seed_commerce(
            client=User.objects.get(email="client@aeyia.local"),
            partner_admin=User.objects.get(email="partner@aeyia.local"),
        )
        extra += seed_practitioner_directory()
        # After the directory: the demo client's care with Priya (consents, bookings, record).
        extra += seed_care_record_demo()
        extra += seed_onboarding_demo(password=DEMO_PASSWORD)
        # Content after people and plans: pages feature practitioners, plans and courses.
        extra += seed_library()
        # The offline Contentful space's articles, testimonial and FAQ land like a real sync.
        contentful_sync_run(trigger="manual")
        extra.append(
            "Contentful: the offline space was synced into the library and snippets; "
            "staff see the sync state and 'Sync now' at /cms/contentful-sync/"
        )
        extra += seed_courses()
        extra += seed_site()
        extra += seed_leads()
        self._print_logins(extra)

    def _print_logins(self, extra: list[str]) -> None:
        url = settings.SITE_URL.rstrip("/")
        lines = [
            "",
            f"Aeyia is ready at {url}/  (log in at {url}/accounts/login/)",
            f"Demo logins, password '{DEMO_PASSWORD}':",
        ]
        for email, _first, _last, roles in DEMO_PEOPLE:
            lines.append(f"  {', '.join(r.label for r in roles):<13} {email}")
        lines.append(
            "Practitioner, editor, staff and partner accounts enrol an authenticator app (TOTP) "
            "on first visit to their dashboard or the admins."
        )
        lines.extend(extra)
        lines.append(
            "Payments use the offline Stripe: its checkout pages let you pay, decline or cancel."
        )
        lines.append(
            f"Emails (confirmation, password reset) are written to {settings.EMAIL_FILE_PATH}/"
        )
        self.stdout.write("\n".join(lines) + "\n")
