"""Every kind of public page, and the company's private response page, is valid HTML according to
the Nu HTML checker (vnu); so is a representative page of each kind in every other interface language."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from resourcecentre.demo.services import SEED_HEADLINE
from tests.markup import language_marks

from .pages import STATUS, every_language_pages, public_pages, response_pages

VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
VNU_TIMEOUT_SECONDS = 180


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "The Nu HTML checker needs Java 11 or later and none is on PATH. "
            "Install it (Debian/Ubuntu: sudo apt-get install default-jre-headless) and run again.",
            pytrace=False,
        )
    if not VNU.exists():
        pytest.fail(
            f"The Nu HTML checker is missing ({VNU}). Run `npm ci` (or `make browser-deps`) in the "
            "project root to install vnu-jar.",
            pytrace=False,
        )
    return [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--verbose"]


def describe(message: dict) -> str:
    where = f"{Path(message.get('url', '')).name}:{message.get('lastLine', '?')}"
    return f"{where}: {message['message']}\n    {message.get('extract', '')!r}"


def test_public_pages_in_every_language_are_valid_html(demo, client, tmp_path):
    command = vnu_command()
    pages_dir = tmp_path / "pages"
    pages_dir.mkdir()
    files = []
    story = demo
    responses = response_pages(story)
    translated = every_language_pages(story, responses["response form"])
    unmarked = {}
    for name, path in {**responses, **public_pages(story), **translated}.items():
        response = client.get(path)
        assert response.status_code == STATUS.get(name, 200), (name, path)
        assert response["Content-Type"].startswith("text/html"), (name, response["Content-Type"])
        file = pages_dir / f"{name.replace(' ', '-')}.html"
        file.write_bytes(response.content)
        files.append(file)
        # The seed story is in English: another language's page must mark it so wherever it shows it.
        marks = language_marks(response.content, SEED_HEADLINE) - {("en", "ltr")}
        if name in translated and marks:
            unmarked[name] = marks

    # One JVM for all pages: starting it costs about a second.
    result = subprocess.run(
        [*command, *map(str, files)],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=VNU_TIMEOUT_SECONDS,
    )
    # vnu writes its report to stderr; --verbose names each file it checked on stdout.
    checked = {Path(line).name for line in result.stdout.splitlines()}
    assert checked == {f.name for f in files}, (
        f"vnu did not check every page:\n{result.stdout}{result.stderr}"
    )
    try:
        messages = json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu gave no JSON report (exit {result.returncode}):\n{result.stderr}")
    problems = [describe(m) for m in messages if m["type"] in ("error", "non-document-error")]
    assert problems == [], "\n".join(problems)
    assert result.returncode == 0, result.stderr

    assert unmarked == {}
