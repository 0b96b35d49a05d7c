from django.db import migrations

from accounts.migration_helpers import grant_group_permissions

PACKS = [
    {"name": "Single credit", "credit_count": 1, "price": 5500, "sort_order": 10},
    {"name": "Five credits", "credit_count": 5, "price": 25000, "sort_order": 20},
    {"name": "Ten credits", "credit_count": 10, "price": 45000, "sort_order": 30},
]


def create_packs(apps, schema_editor):
    """Starting packs (staff edit them in the Wagtail admin) and staff permissions."""
    CreditPack = apps.get_model("credits", "CreditPack")
    for pack in PACKS:
        CreditPack.objects.get_or_create(
            name=pack["name"], defaults={**pack, "currency": "gbp", "validity_days": 180}
        )
    grant_group_permissions(
        apps, group="Staff", app_label="credits", actions={"creditpack": ["view", "add", "change"]}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0004_credit_packs"),
        ("accounts", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_packs, migrations.RunPython.noop)]
