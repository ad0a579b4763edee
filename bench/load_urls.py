"""Write the URL lists `bench/load.sh` replays: one file of paths per target.

Reads the corpus in the database named by DATABASE_URL (`generate_corpus` made it). Search
paths vary the words and facets so that every request is a new search (the page cache never
stores search results anyway).
"""

import argparse
import os
import random
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resourcecentre.settings")

WORDS = [
    "workers",
    "mine",
    "wages",
    "union",
    "spill",
    "land",
    "rights",
    "overtime",
    "police",
    "privacy",
    "dam",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the <target>.paths files")
    parser.add_argument("--stories", type=int, default=1, help="story pages in the cached mix")
    parser.add_argument("--api-path", default="/api/v1/stories", help="the API path to load ('' to skip)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    django.setup()

    from resourcecentre.companies.models import Company
    from resourcecentre.news.models import Story
    from resourcecentre.taxonomy.models import Country, Issue

    rng = random.Random(args.seed)
    stories = list(Story.objects.published().order_by("-date", "id")[: args.stories])
    companies = list(Company.objects.order_by("id")[:200])
    countries = list(Country.objects.values_list("slug", flat=True)[:50])
    issues = list(Issue.objects.values_list("slug", flat=True)[:20])
    if not stories or not companies:
        sys.exit("No corpus: run generate_corpus first")
    searches = []
    for _ in range(5000):
        words = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2])))
        path = f"/en/search/?q={words.replace(' ', '+')}"
        if rng.random() < 0.5 and countries:
            path += f"&country={rng.choice(countries)}"
        if rng.random() < 0.3 and issues:
            path += f"&issue={rng.choice(issues)}"
        searches.append(path)
    lists = {
        "story": [s.get_absolute_url() for s in stories],
        "company": [c.get_absolute_url() for c in companies[:20]],
        "search": searches,
        "feed": [f"{s.get_absolute_url()}rss/" for s in stories],
        "static": ["/static/css/site.css"],
    }
    if args.api_path:
        lists["api"] = [args.api_path]
    args.out.mkdir(parents=True, exist_ok=True)
    for name, paths in lists.items():
        (args.out / f"{name}.paths").write_text("\n".join(paths) + "\n")
    print(" ".join(f"{name}={len(paths)}" for name, paths in lists.items()))


if __name__ == "__main__":
    main()
