"""Schemathesis fuzzes the live API from its own OpenAPI schema: no server errors, no answer that
contradicts the schema, invalid input refused, valid input accepted."""

import subprocess
import sys
from pathlib import Path

from resourcecentre.news.models import StoryTranslation
from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, ComponentFactory, StoryFactory

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Bounded so that `make test` spends well under a minute here.
MAX_EXAMPLES = 8
MAX_SECONDS = 45


def test_schemathesis_finds_no_failure_in_the_live_api(
    committed_db, live_server, settings, rebuild_index, tmp_path
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "100000/m"}
    company = CompanyFactory(name="Kestrel Mining plc")
    components = ComponentFactory.create_batch(3)
    for component in components:
        component.companies.set([company])
        component.countries.set([Country.objects.get(code="KE")])
    ComponentFactory(title="Unpublished", draft=True)
    story = StoryFactory(components=components)
    StoryTranslation.objects.create(story=story, language="ja", headline="見出し", summary="<p>要約</p>")
    rebuild_index()
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--max-time",
            str(MAX_SECONDS),
            "--seed",
            "20200612",
            "--workers",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=MAX_SECONDS + 60,
        cwd=tmp_path,  # where it keeps its example database, out of the checkout
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "passed" in run.stdout and "failed" not in run.stdout.split("SUMMARY")[-1]
