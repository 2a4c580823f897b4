"""Where a page's CPU goes: cProfile over repeated requests of one bench page, in process.

    python -m bench.profile PAGE_KEY [--database-url URL] [--runs 20] [--sort cumulative]

Same production-like settings and logged-in user as bench.measure; prints the functions that
cost the most (cumulative time by default, `--sort tottime` for own time).
"""

import argparse
import cProfile
import logging
import os
import pstats
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("page")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import django

    django.setup()
    logging.disable(logging.CRITICAL)
    from bench import pages
    from bench.measure import client_for, fetch

    found = {page.key: (page, url) for page, url in pages.page_urls()}
    if args.page not in found or found[args.page][1] is None:
        sys.exit(f"Unknown or absent page {args.page}; pages: {', '.join(sorted(found))}")
    page, url = found[args.page]
    client = client_for(page.user)
    for _ in range(3):  # warm-up: templates compiled, URLs resolved
        fetch(client, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.runs):
        fetch(client, url)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
