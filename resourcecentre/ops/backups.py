"""Backups: the database (pg_dump, or SQLite's online backup), media and private files.

The search index is not in the archive: it is derived data, rebuilt from the restored
database (``rebuild_search_index``) as the last step of a restore.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections

ARCHIVE_FORMAT = 1
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
FILE_TREES = {"media": "MEDIA_ROOT", "private": "PRIVATE_MEDIA_ROOT"}


class BackupError(Exception):
    pass


def _database() -> dict:
    return connections["default"].settings_dict


def _is_sqlite() -> bool:
    return _database()["ENGINE"] == "django.db.backends.sqlite3"


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes by environment, not argv."""
    db = _database()
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        # A fixed program (pg_dump or pg_restore) with arguments from the settings.
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)"
        ) from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()[-2000:]}") from error


def _dump_database(into: Path) -> str:
    if _is_sqlite():
        source = sqlite3.connect(_database()["NAME"])
        target = sqlite3.connect(into / SQLITE_FILE)
        with target:
            source.backup(target)
        source.close()
        target.close()
        return SQLITE_FILE
    args, env = _pg_env()
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(into / PG_FILE), *args],
        env,
    )
    return PG_FILE


def backup_create(*, output: Path | None = None) -> Path:
    """Write one archive holding the database, media and private files; return its path."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    if output is None:
        settings.BACKUP_DIR.mkdir(parents=True, exist_ok=True)
        output = settings.BACKUP_DIR / f"resourcecentre-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="rc-backup-") as scratch:
        folder = Path(scratch)
        database_file = _dump_database(folder)
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created": stamp,
            "engine": "sqlite" if _is_sqlite() else "postgresql",
            "database": database_file,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(folder / "manifest.json", arcname="manifest.json")
            archive.add(folder / database_file, arcname=database_file)
            for name, setting in FILE_TREES.items():
                root = Path(getattr(settings, setting))
                if root.exists():
                    archive.add(root, arcname=name)
        # Renamed only once complete, so a half-written archive is never taken for a backup.
        partial.replace(output)
    output.chmod(0o600)
    return output


def _restore_database(folder: Path, manifest: dict) -> None:
    engine = "sqlite" if _is_sqlite() else "postgresql"
    if manifest["engine"] != engine:
        raise BackupError(f"This archive holds a {manifest['engine']} database; this site runs on {engine}.")
    connections.close_all()
    if _is_sqlite():
        source = sqlite3.connect(folder / manifest["database"])
        target = sqlite3.connect(_database()["NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()
        return
    args, env = _pg_env()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *args,
            str(folder / manifest["database"]),
        ],
        env,
    )


def _restore_files(folder: Path) -> None:
    for name, setting in FILE_TREES.items():
        root = Path(getattr(settings, setting))
        if root.exists():
            shutil.rmtree(root)
        if (folder / name).exists():
            shutil.copytree(folder / name, root)
        else:
            root.mkdir(parents=True, exist_ok=True)


def backup_restore(*, archive: Path, rebuild_index: bool = True) -> dict:
    """Put the database and files back as the archive holds them, then rebuild the index."""
    with tempfile.TemporaryDirectory(prefix="rc-restore-") as scratch:
        folder = Path(scratch)
        try:
            with tarfile.open(archive, "r:*") as opened:
                # The "data" filter refuses absolute paths, "..", links out of the folder, devices.
                opened.extractall(folder, filter="data")
            manifest = json.loads((folder / "manifest.json").read_text())
        except (tarfile.TarError, OSError, ValueError, KeyError) as error:
            raise BackupError(f"{archive} is not a readable backup: {error}") from error
        if manifest.get("format") != ARCHIVE_FORMAT:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}")
        _restore_database(folder, manifest)
        _restore_files(folder)
    # An archive from an older release: bring its schema up to this code.
    call_command("migrate", interactive=False, verbosity=0)
    cache.clear()
    if rebuild_index:
        call_command("rebuild_search_index", verbosity=0)
    return manifest
