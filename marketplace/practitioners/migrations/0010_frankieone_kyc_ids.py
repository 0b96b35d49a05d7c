# FrankieOne's ids on a verification case, and where a stored KYC event came from.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("practitioners", "0009_identity_document_type_and_encrypted_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="verificationcase",
            name="kyc_entity_id",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name="verificationcase",
            name="kyc_request_id",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="kycevent",
            name="source",
            field=models.CharField(
                choices=[
                    ("signed_result", "Signed result"),
                    ("frankieone_notification", "FrankieOne notification"),
                ],
                default="signed_result",
                max_length=32,
            ),
        ),
    ]
