"""Run every benchmark (each in its own process) and print one summary. `make bench` runs this.

The HTTP mode of the member GET (bench_member_get_http.py: one gunicorn process, wrk) runs when both gunicorn
and wrk are installed, and is skipped with a message otherwise (`apt-get install wrk`); `--no-http` skips it.
Usage: .venv/bin/python bench/run_all.py [--json results.json] [--no-http]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import _common
import bench_member_get_http

HERE = os.path.dirname(os.path.abspath(__file__))


def _run(script, *args):
    """Run bench/<script> with --json into a temp file; its own output streams through."""
    fd, path = tempfile.mkstemp(suffix=".json", prefix="mentorship-bench-")
    os.close(fd)
    try:
        print(f"$ {os.path.basename(sys.executable)} bench/{script} {' '.join(args)}", flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, script), *args, "--json", path], check=True)
        with open(path) as fh:
            return json.load(fh)
    finally:
        os.unlink(path)


def _verdict(met):
    return "MET" if met else "NOT MET"


def _http_mode(no_http):
    """The HTTP member-GET figures, or (None, why it was skipped)."""
    gunicorn, wrk = bench_member_get_http.tools()
    if no_http:
        return None, "skipped (--no-http)"
    if not (gunicorn and wrk):
        return None, (f"skipped: needs gunicorn and wrk (gunicorn: {gunicorn or 'not found'}, "
                      f"wrk: {wrk or 'not found; apt-get install -y wrk'})")
    return _run("bench_member_get_http.py", "--members", "1000", "--rounds", "3", "--seconds", "10",
                "--workers", "sync,gthread"), None


def _print_http(http, skipped):
    if skipped:
        print(f"GET /api/v1/members/{{id}} over HTTP: {skipped}")
        return
    print(f"GET /api/v1/members/{{id}} over HTTP, one gunicorn process, wrk -t1 -c{http['connections']}, "
          f"median of {http['rounds']} interleaved rounds x {http['seconds']} s:")
    for worker, mode in http["modes"].items():
        series = mode["series"]
        print(f"  {worker}: ours {series['ours']['rps_median']:,.0f} req/s"
              f" | vs bare {series['bare']['rps_median']:,.0f} = {mode['ratio_bare_median']:.1%} "
              f"({_verdict(mode['target_met_bare'])})"
              f" | vs bare+sqlite3 {series['bare_db']['rps_median']:,.0f} = {mode['ratio_bare_db_median']:.1%} "
              f"({_verdict(mode['target_met_bare_db'])}) | target >= {mode['target']:.0%}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn + wrk HTTP mode")
    args = parser.parse_args(argv)
    machine = _common.machine()
    results = {"machine": machine,
               "import": _run("bench_import.py", "--rows", "10000", "--reps", "3"),
               "member_get": _run("bench_member_get.py", "--members", "1000", "--rounds", "5", "--requests", "2000",
                                  "--breakdown")}
    http, http_skipped = _http_mode(args.no_http)
    if http_skipped:
        print(f"HTTP mode of the member GET {http_skipped}", flush=True)
    else:
        results["member_get_http"] = http
    imp, get = results["import"], results["member_get"]
    print("\n===== summary =====")
    print(f"{machine['date']} | nproc {machine['nproc']} | Python {machine['python']} | {machine['platform']}")
    print(f"CSV import, {imp['rows']:,} rows, median of {imp['reps']} fresh SQLite DBs:")
    print(f"  create {imp['create_median']:,.0f} rows/s (target >= {imp['target']:,}: "
          f"{_verdict(imp['create_target_met'])}); update {imp['update_median']:,.0f} rows/s")
    print(f"GET /api/v1/members/{{id}} through the WSGI test client, median of {get['rounds']} interleaved rounds x "
          f"{get['requests_per_round']:,}:")
    print(f"  ours {get['ours_median']:,.0f} req/s vs bare Flask {get['bare_median']:,.0f} req/s = "
          f"{get['ratio_median']:.1%} (target >= {get['target']:.0%}: {_verdict(get['target_met'])}); "
          f"limiter off {get['ours_no_limiter_median']:,.0f} req/s = {get['ratio_no_limiter_median']:.1%}")
    _print_http(http, http_skipped)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
