"""SQLite: a trigger removes a document's FTS5 row whenever the document row is deleted."""

from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rathaus.core.search import SqliteBackend

    if schema_editor.connection.vendor == "sqlite":
        SqliteBackend().install()
        with schema_editor.connection.cursor() as cur:
            cur.execute(
                "DELETE FROM core_search_fts "
                "WHERE rowid NOT IN (SELECT id FROM core_searchdocument)"
            )


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cur:
            cur.execute("DROP TRIGGER IF EXISTS core_searchdocument_fts_delete")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_fulltext")]
    operations = [migrations.RunPython(install, uninstall)]
