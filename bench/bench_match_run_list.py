"""GET /api/v1/match-runs over a page of big runs (issue 16: big cohorts), this checkout against an older one.

Reads the runs a `bench/bench_split_run.py --database NAME --keep` database holds (50,000-mentee runs, ~17 MB of
assignments each), through the app's test client in a child process per measurement: the seconds until the whole
body is read, its size, and the child's peak RSS before and after (the test client holds the body too, so the peak
includes it once). Children alternate between the trees, `--rounds` times.

Usage: .venv/bin/python bench/bench_match_run_list.py --database bench_split [--old-root CHECKOUT] [--per-page 12]
       [--rounds 2]
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(root, database, per_page):
    sys.path.insert(0, root)
    os.chdir(root)
    import importlib
    import resource
    import time

    mentorship = importlib.import_module("mentorship")  # this checkout's, before _common, which puts /work/main
    _common = importlib.import_module("_common")  # first on sys.path
    _, client, _, secret = _common.kept_database_client(database)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get(f"/api/v1/match-runs?per_page={per_page}", headers={"Authorization": f"Bearer {secret}"})
    body = response.get_data()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    items = len(json.loads(body)["items"])
    return {"root": str(Path(mentorship.__file__).parent.parent), "status": response.status_code, "items": items,
            "body_mb": round(len(body) / 1e6, 1), "seconds": round(seconds, 2), "peak_rss_before_mb": before // 1024,
            "peak_rss_mb": after // 1024}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--old-root")
    parser.add_argument("--per-page", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], int(args.child[2]))))
        return
    roots = [str(ROOT)] + ([str(Path(args.old_root).resolve())] if args.old_root else [])
    for round_ in range(args.rounds):
        for root in roots if round_ % 2 == 0 else roots[::-1]:
            out = subprocess.run([sys.executable, __file__, "--database", args.database, "--child", root, args.database,
                                  str(args.per_page)],
                                 capture_output=True, text=True, check=True).stdout
            print(out.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
