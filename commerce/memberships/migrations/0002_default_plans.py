from django.db import migrations

from commerce.memberships.defaults import ensure_default_plans


def create_default_plans(apps, schema_editor):
    """Free, member and premium to start with; staff edit them in the Wagtail admin."""
    ensure_default_plans(apps.get_model("memberships", "MembershipPlan"))


class Migration(migrations.Migration):
    dependencies = [("memberships", "0001_initial")]

    operations = [migrations.RunPython(create_default_plans, migrations.RunPython.noop)]
