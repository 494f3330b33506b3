"""Existing DRF tokens (rest_framework.authtoken) become API keys, so that integrations keep
working after the switch to ApiTokenAuthentication: the same key, now stored as its hash,
valid for URBANMINE_API_TOKEN_DAYS (90) days from this migration. The DRF rows are left as
they are (no longer accepted); a later release drops rest_framework.authtoken."""

import hashlib
from datetime import timedelta

from django.apps import apps as global_apps
from django.conf import settings
from django.db import migrations
from django.utils import timezone

HAS_AUTHTOKEN = global_apps.is_installed("rest_framework.authtoken")


def copy_tokens(apps, schema_editor):
    if not HAS_AUTHTOKEN:
        return
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    days = getattr(settings, "URBANMINE_API_TOKEN_DAYS", 90)
    existing = set(ApiToken.objects.values_list("key_hash", flat=True))
    new = []
    for token in Token.objects.all().iterator():
        digest = hashlib.sha256(token.key.encode("utf-8")).hexdigest()
        if digest in existing:
            continue
        new.append(
            ApiToken(
                user_id=token.user_id,
                name="API-token (overgenomen)",
                key_hash=digest,
                prefix=token.key[:8],
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
    ApiToken.objects.bulk_create(new, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")] + (
        [("authtoken", "0004_alter_tokenproxy_options")] if HAS_AUTHTOKEN else []
    )

    operations = [migrations.RunPython(copy_tokens, migrations.RunPython.noop)]
