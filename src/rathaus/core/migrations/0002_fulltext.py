"""Create the full-text structure of the database in use (FTS5 table or tsvector + GIN)."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rathaus.core.search import PostgresBackend, SqliteBackend

    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        SqliteBackend().install()
    elif vendor == "postgresql":
        PostgresBackend().install()


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cur:
        if schema_editor.connection.vendor == "sqlite":
            cur.execute("DROP TABLE IF EXISTS core_search_fts")
        elif schema_editor.connection.vendor == "postgresql":
            cur.execute("DROP INDEX IF EXISTS core_searchdocument_vector")
            cur.execute("ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
