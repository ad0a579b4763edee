"""What the language switcher and `hreflang` links cost a page: the current page's address in
every interface language, built from the request's own URL match (`i18n.page_alternates`),
against the baseline of Django's `translate_url` per language (resolve, then reverse).
Also the cost the wrong-language redirect adds to a 404.

    .venv/bin/python bench/languages.py [--repeat 2000]

No database: URL resolving only. Ends with one line:
alternates_us=<x> translate_url_us=<y> speedup=<z> redirect_404_us=<r> plain_404_us=<p>
"""

import argparse
import os
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2000, help="calls timed per measurement")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resourcecentre.settings")
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-languages"))
    import django

    django.setup()
    from django.conf import settings
    from django.test import RequestFactory
    from django.urls import resolve, translate_url
    from django.utils.translation import override

    from resourcecentre.i18n import corrected_path, page_alternates

    path = "/es/historias/usa-amazon-ceo-announces-support/"
    request = RequestFactory().get(path + "?dateorder=dateasc")
    with override("es"):
        request.resolver_match = resolve(path)
        codes = [code for code, _name in settings.LANGUAGES]

        def per_call(function) -> float:
            function()  # warm the per-language resolver caches
            return min(timeit.repeat(function, number=args.repeat, repeat=3)) / args.repeat * 1e6

        ours = per_call(lambda: page_alternates(request))
        baseline = per_call(lambda: [translate_url(path, code) for code in codes])
        redirect = per_call(lambda: corrected_path("/es/stories/usa-amazon-ceo-announces-support/", "es"))
        plain = per_call(lambda: corrected_path("/es/no-such-section/at-all/", "es"))

    print(
        f"{len(codes)} languages; {args.repeat} calls per measurement, best of 3; "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print(f"  page_alternates (switcher + hreflang):  {ours:8.0f} µs per page")
    print(f"  translate_url per language (baseline):  {baseline:8.0f} µs per page")
    print(f"  404 that redirects to the right name:   {redirect:8.0f} µs")
    print(f"  404 that stays a 404 (all tried):       {plain:8.0f} µs")
    print(
        f"alternates_us={ours:.0f} translate_url_us={baseline:.0f} speedup={baseline / ours:.1f} "
        f"redirect_404_us={redirect:.0f} plain_404_us={plain:.0f}"
    )


if __name__ == "__main__":
    main()
