"""The throwaway database every benchmark runs on, shared by the bench scripts.

SQLite in the benchmark's folder by default; with a PostgreSQL `DATABASE_URL`, that database is
created for the run (refusing one that exists) and dropped at the end with `drop_database`.
"""

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def setup_django(var_dir: Path, **environment: str) -> str | None:
    """Point the settings at a throwaway database, with `environment` as extra settings, and
    set Django up; return the PostgreSQL URL to drop at the end, or None for SQLite."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "resourcecentre.settings"
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ.update(environment)
    url = os.environ.get("DATABASE_URL", "")
    created = None
    if url.startswith("postgres"):
        import psycopg

        server, name = url.rsplit("/", 1)
        with psycopg.connect(server + "/postgres", autocommit=True) as connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                raise SystemExit(f"Database {name} exists; this benchmark creates and drops its own.")
            connection.execute(f'CREATE DATABASE "{name}"')
        created = url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    sys.path.insert(0, str(PROJECT_DIR))

    import django

    django.setup()
    return created


def drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}"')
