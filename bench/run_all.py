"""Run every benchmark (each in its own process) and print one summary. `make bench` runs this.

Usage: .venv/bin/python bench/run_all.py [--json results.json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import _common

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    machine = _common.machine()
    results = {"machine": machine,
               "import": _run("bench_import.py", "--rows", "10000", "--reps", "3"),
               "member_get": _run("bench_member_get.py", "--members", "1000", "--rounds", "5", "--requests", "2000",
                                  "--breakdown")}
    imp, get = results["import"], results["member_get"]
    print("\n===== summary =====")
    print(f"{machine['date']} | nproc {machine['nproc']} | Python {machine['python']} | {machine['platform']}")
    print(f"CSV import, {imp['rows']:,} rows, median of {imp['reps']} fresh SQLite DBs:")
    print(f"  create {imp['create_median']:,.0f} rows/s (target >= {imp['target']:,}: "
          f"{_verdict(imp['create_target_met'])}); update {imp['update_median']:,.0f} rows/s")
    print(f"GET /api/v1/members/{{id}}, median of {get['rounds']} interleaved rounds x {get['requests_per_round']:,}:")
    print(f"  ours {get['ours_median']:,.0f} req/s vs bare Flask {get['bare_median']:,.0f} req/s = "
          f"{get['ratio_median']:.1%} (target >= {get['target']:.0%}: {_verdict(get['target_met'])}); "
          f"limiter off {get['ours_no_limiter_median']:,.0f} req/s = {get['ratio_no_limiter_median']:.1%}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)


if __name__ == "__main__":
    main()
