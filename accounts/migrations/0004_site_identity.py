from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    """allauth's emails greet with the Site's name ("Hello from example.com!" otherwise)."""
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "aeyia.local"
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": "Aeyia"})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_manage_oidc_clients"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
