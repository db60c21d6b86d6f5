"""Invitation links are stored as the SHA-256 of their token, never the token itself."""

import hashlib

from django.db import migrations, models


def hash_existing_tokens(apps, schema_editor):
    Invitation = apps.get_model("partnership", "Invitation")
    for invitation in Invitation.objects.only("pk", "token_hash").iterator():
        invitation.token_hash = hashlib.sha256(invitation.token_hash.encode()).hexdigest()
        invitation.save(update_fields=["token_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0003_notification_params"),
    ]

    operations = [
        migrations.RenameField("invitation", "token", "token_hash"),
        # Links sent before keep working: their token hashes to the stored value. Not reversible:
        # the tokens are gone.
        migrations.RunPython(hash_existing_tokens, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
