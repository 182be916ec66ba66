"""Migration helpers shared by the apps."""

from django.db import migrations


def path_collation_c(*columns: tuple[str, str, int]) -> migrations.RunPython:
    """On PostgreSQL, give tree-path columns COLLATE "C" (byte order, like SQLite's BINARY).

    Paths are base-36 digits and capitals. Under a locale collation PostgreSQL cannot use a btree for
    `LIKE 'prefix%'` or for ordering by path; under "C" the column's ordinary btree indexes serve the
    subtree's prefix range and return it in tree order. ``columns``: (table, column, max_length).
    """

    def alter(schema_editor, collation: str) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cur:
            for table, column, length in columns:
                cur.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "{collation}"')

    return migrations.RunPython(lambda apps, se: alter(se, "C"), lambda apps, se: alter(se, "default"))
