"""Stamps of the reference data the servers keep in memory (kinerja/core/stamp_models.py).

Triggers give a data set a new random stamp whenever one of its tables changes,
on SQLite and PostgreSQL alike, so an edit from anywhere (the administration, a
bulk update, raw SQL) reaches every server process at its next action.
"""

import uuid

from django.db import migrations, models

WATCHED = {
    "calendar": ("core_workschedule", "core_workscheduleday", "core_specialday"),
    "org": ("org_person", "org_assignment"),
}

PG_FUNCTION = """
CREATE FUNCTION core_cache_stamp_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE core_cachestamp SET token = md5(random()::text || clock_timestamp()::text)
        WHERE key = TG_ARGV[0];
    RETURN NULL;
END
$$;
"""
PG_REMOVE = """
DROP FUNCTION IF EXISTS core_cache_stamp_renew() CASCADE;
"""
SQLITE_RENEW = "UPDATE core_cachestamp SET token = lower(hex(randomblob(16))) WHERE key = '{key}'"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    stamp = apps.get_model("core", "CacheStamp")
    stamp.objects.using(schema_editor.connection.alias).bulk_create(
        [stamp(key=key, token=uuid.uuid4().hex) for key in WATCHED]
    )
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for key, tables in WATCHED.items():
            for table in tables:
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_cache_stamp AFTER INSERT OR UPDATE OR DELETE "
                    f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION core_cache_stamp_renew('{key}')",
                    params=None,
                )
    elif vendor == "sqlite":
        for key, tables in WATCHED.items():
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    schema_editor.execute(
                        f"CREATE TRIGGER {table}_cache_stamp_{event.lower()} AFTER {event} "
                        f"ON {table} BEGIN {SQLITE_RENEW.format(key=key)}; END",
                        params=None,
                    )


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for tables in WATCHED.values():
            for table in tables:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_cache_stamp ON {table}")
        schema_editor.execute(PG_REMOVE, params=None)
    elif vendor == "sqlite":
        for tables in WATCHED.values():
            for table in tables:
                for event in ("insert", "update", "delete"):
                    schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_cache_stamp_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_api_tokens"),
        ("org", "0002_person_rank"),
    ]

    operations = [
        migrations.CreateModel(
            name="CacheStamp",
            fields=[
                (
                    "key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="data"
                    ),
                ),
                ("token", models.CharField(max_length=64, verbose_name="stamp")),
            ],
            options={
                "verbose_name": "cache stamp",
                "verbose_name_plural": "cache stamps",
            },
        ),
        migrations.RunPython(install, remove),
    ]
