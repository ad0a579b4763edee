"""Copies of the whole test database, taken once and written back before each test that needs them.

Loading the demo data set through the models takes 17 s on SQLite and 50 s on PostgreSQL (every
save runs Wagtail's revisions and our cache invalidation), and Django's serialized rollback takes
a few seconds more. Copying the rows out once and back in takes well under a second: PostgreSQL's
COPY, SQLite's plain SELECT and INSERT.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction

Rows = dict[str, tuple[str, object]]


def _tables() -> list[str]:
    """The tables `flush` empties, so that a restore puts back exactly what a flush takes away."""
    connection = connections[DEFAULT_DB_ALIAS]
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def database_copy() -> Rows:
    """Every table's rows as they are now."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    copied: Rows = {}
    with connection.cursor() as cursor:
        for table in _tables():
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(table)} TO STDOUT") as copy:
                    copied[table] = ("", b"".join(copy))
            else:
                cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (our own table names)
                columns = ", ".join(quote(column[0]) for column in cursor.description)
                copied[table] = (columns, cursor.fetchall())
    return copied


def database_restore(copied: Rows) -> None:
    """Empty every table and write back what `database_copy` took, sequences included."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, rows) in copied.items():
            if not rows:
                continue
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                    copy.write(rows)
            else:
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})", rows)  # noqa: S608
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
