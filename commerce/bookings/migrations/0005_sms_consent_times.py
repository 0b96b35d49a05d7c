from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0004_reschedule_no_show"),
    ]

    operations = [
        migrations.AddField(
            model_name="clientcontactpreference",
            name="sms_opted_in_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="clientcontactpreference",
            name="sms_opted_out_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
