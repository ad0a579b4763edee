from django.core.management.base import BaseCommand

from resourcecentre.demo.corpus import generate_corpus
from resourcecentre.lib.progress import ProgressBar


class Command(BaseCommand):
    help = "Add a synthetic, reproducible corpus of companies, stories and components (for benchmarks)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--components", type=int, default=100_000)
        parser.add_argument("--companies", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same corpus")

    def handle(self, *args, components: int, companies: int, seed: int, **options) -> None:
        bar = ProgressBar(self.stderr._out)
        summary = generate_corpus(components=components, companies=companies, seed=seed, progress=bar.update)
        bar.close()
        self.stdout.write(
            f"Generated {summary.components:,} components in {summary.stories:,} stories about "
            f"{summary.companies:,} companies in {summary.seconds:.1f} s. "
            "Run rebuild_search_index to make them searchable."
        )
