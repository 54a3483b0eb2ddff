"""A newcomer's first start: seconds from `make run` on a fresh clone to the first 200 from /healthz (issue 15:
≤ 60 s on this machine).

Each run clones this repository (its committed HEAD, or `--rev`) into a new temporary directory, so nothing of
the working tree helps: no .venv, no instance/ database; pip's own download cache (~/.cache/pip) is the
machine's, as for any clone here. `make run PORT=<free port>` is started and /healthz polled every 0.2 s; the
server is stopped and the clone removed after each run. With several revisions the runs alternate between them
(A B A B ...), the baseline in the same session as the change. Also reported per run: when the venv was ready
(its install stamp) and when the demo was seeded (instance/demo.json), by watching the clone's files.
Usage: .venv/bin/python bench/bench_first_start.py [--rev HEAD] [--rev <baseline>] [--runs 2] [--json out.json]
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import _common

TIMEOUT_SECONDS = 600


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def one_run(rev):
    """{"seconds", "venv", "seeded"}: seconds from `make run` to each milestone."""
    workdir = Path(tempfile.mkdtemp(prefix="first-start-"))
    clone = workdir / "clone"
    subprocess.run(["git", "clone", "-q", str(_common.ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", rev], check=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV", "MAIL_URL")}
    log = open(workdir / "make.log", "w")
    started = time.perf_counter()
    proc = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    marks = {}
    try:
        while time.perf_counter() - started < TIMEOUT_SECONDS:
            now = time.perf_counter() - started
            if "venv" not in marks and list((clone / ".venv" / "bin").glob(".installed*")):
                marks["venv"] = round(now, 1)
            if "seeded" not in marks and (clone / "instance" / "demo.json").exists():
                marks["seeded"] = round(now, 1)
            if _up(port):
                marks["seconds"] = round(time.perf_counter() - started, 1)
                return marks
            if proc.poll() is not None:
                raise SystemExit(f"make run exited {proc.returncode}: {(workdir / 'make.log').read_text()[-2000:]}")
            time.sleep(0.2)
        raise SystemExit(f"no answer within {TIMEOUT_SECONDS} s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", action="append", help="revision to clone (repeat to alternate); default HEAD")
    parser.add_argument("--runs", type=int, default=2, help="runs per revision")
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args(argv)
    revs = args.rev or ["HEAD"]
    results = {rev: [] for rev in revs}
    loads = [os.getloadavg()[0]]
    for _ in range(args.runs):
        for rev in revs:
            results[rev].append(one_run(rev))
            loads.append(os.getloadavg()[0])
            print(f"{rev}: {results[rev][-1]}", flush=True)
    summary = {"runs": results, "load_average_1min": [round(x, 2) for x in loads], "machine": _common.machine()}
    for rev, runs in results.items():
        print(f"{rev}: first 200 after {', '.join(str(r['seconds']) for r in runs)} s")
    _common.write_json(args.json, summary)


if __name__ == "__main__":
    main()
