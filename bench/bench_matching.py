"""Matching engine benchmarks (issue 3 targets 1–4) on reproducible synthetic cohorts (bench/data_matching.py).

1. recommend top-10 for one mentee, p95 in the engine, at 10,000 and 100,000 mentors;
2. `optimal` at 10,000 × 2,000 and 50,000 × 10,000 (solve time, candidate generation apart, peak memory of a
   process that only solves), and its total against the dense optimum at 2,000 × 400;
3. `stable` at 10,000 × 2,000;
4. the PyPI package `matching` (HospitalResident) and a greedy baseline at 10,000 × 2,000, same preferences.

The PyPI package is also called `matching`. It is imported first, from its own directory, and renamed to
`pypi_matching*` in sys.modules before ours is imported (see load_pypi_matching). Install it either into the venv
(`pip install '.[bench]'`) or, to keep it from ever shadowing ours, into a directory of its own:
`pip install --target /tmp/pypi_matching matching==1.4.3` and pass `--pypi-matching /tmp/pypi_matching`.

Usage: .venv/bin/python bench/bench_matching.py [--quick] [--skip-pypi] [--pypi-matching DIR] [--out FILE]
       [--part recommend] [--matching-root CHECKOUT]
"""
import argparse
import importlib
import importlib.metadata
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WEEK = datetime(2025, 3, 3)


def load_pypi_matching(directory: str | None):
    """HospitalResident from the PyPI `matching` package, loaded as `pypi_matching` (None if not installed)."""
    if directory is None:
        try:
            directory = str(importlib.metadata.distribution("matching").locate_file(""))
        except importlib.metadata.PackageNotFoundError:
            return None, None
    if any(name == "matching" or name.startswith("matching.") for name in sys.modules):
        raise RuntimeError("load the PyPI package before our matching is imported")
    saved = sys.path[:]
    sys.path.insert(0, directory)
    try:
        pypi = importlib.import_module("matching")
        games = importlib.import_module("matching.games")  # every submodule HospitalResident needs, eagerly
    finally:
        sys.path[:] = saved
    if not Path(pypi.__file__).resolve().is_relative_to(Path(directory).resolve()):
        raise RuntimeError(f"expected the PyPI package under {directory}, got {pypi.__file__}")
    for name in [name for name in sys.modules if name == "matching" or name.startswith("matching.")]:
        sys.modules["pypi_" + name] = sys.modules.pop(name)
    return games.HospitalResident, pypi.__version__


def _percentiles(seconds):
    ms = np.asarray(seconds) * 1e3
    return {f"p{p}": round(float(np.percentile(ms, p)), 3) for p in (50, 95, 99)}


def bench_recommend(n_mentors: int, n_queries: int) -> dict:
    """Build an index of n_mentors, then time recommend() per mentee; also the cost of upserts."""
    from data_matching import mentees, mentors

    from matching import MentorIndex, recommend

    pool = mentors(n_mentors, seed=1)
    start = time.perf_counter()
    index = MentorIndex.build(pool, week_of=WEEK)
    built = time.perf_counter() - start
    queries = mentees(n_queries + 50, seed=2)
    for mentee in queries[:50]:  # warm-up: caches, IDF norms, first-touch of memory
        recommend(mentee, index)
    times = []
    for mentee in queries[50:]:
        start = time.perf_counter()
        recommend(mentee, index, k=10)
        times.append(time.perf_counter() - start)
    fresh = mentors(200, seed=3, first_id=int(pool[0].id))  # same ids as existing mentors, new profiles
    start = time.perf_counter()
    for mentor in fresh:
        index.upsert(mentor)
    upsert = (time.perf_counter() - start) / len(fresh)
    start = time.perf_counter()
    recommend(queries[0], index)
    after_upserts = time.perf_counter() - start
    # A live tenant: one profile changes, then the next mentee asks (issue 16: within 1.5 × the p95 above).
    changed = mentors(n_queries // 5, seed=6, first_id=int(pool[0].id))
    firsts = []
    for mentor, mentee in zip(changed, queries[50:], strict=False):
        index.upsert(mentor)
        start = time.perf_counter()
        recommend(mentee, index, k=10)
        firsts.append(time.perf_counter() - start)
    first = {f"first_after_one_upsert_{name}": value for name, value in _percentiles(firsts).items()}
    return {"mentors": n_mentors, "queries": n_queries, "build_s": round(built, 2), **_percentiles(times),
            "upsert_ms": round(upsert * 1e3, 3), "first_query_after_upserts_ms": round(after_upserts * 1e3, 2),
            **first, "first_after_one_upsert_max": round(max(firsts) * 1e3, 3)}


def _timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def cohort_graph(n_mentees: int, n_mentors: int, candidates: int = 50, min_score: float = 0.2):
    """(mentees, index, graph, seconds to build the index, seconds to generate candidates)."""
    from data_matching import mentees, mentors

    from matching import MentorIndex
    from matching.candidates import candidate_graph

    cohort = mentees(n_mentees, seed=4)
    index, built = _timed(lambda: MentorIndex.build(mentors(n_mentors, seed=5), week_of=WEEK))
    graph, generated = _timed(candidate_graph, cohort, index, candidates, min_score)
    return cohort, index, graph, built, generated


def greedy(graph) -> np.ndarray:
    """Baseline strategy: take edges best score first while both sides have room (same signature as STRATEGIES)."""
    order = np.lexsort((graph.mentor_ids[graph.mentor], graph.mentee_ids[graph.mentee], -graph.score))
    room, taken, chosen = graph.capacity.copy(), np.zeros(len(graph.mentee_ids), bool), []
    for edge in order.tolist():
        mentee, mentor = graph.mentee[edge], graph.mentor[edge]
        if not taken[mentee] and room[mentor] > 0:
            taken[mentee], room[mentor] = True, room[mentor] - 1
            chosen.append(edge)
    return np.array(sorted(chosen), dtype=np.int64)


def bench_assign(n_mentees: int, n_mentors: int) -> tuple[dict, object]:
    """Candidate generation, optimal / stable / greedy solves and the full assign() at one size."""
    from matching import assign
    from matching.assign import to_assignment
    from matching.strategies import optimal, stable

    cohort, index, graph, built, generated = cohort_graph(n_mentees, n_mentors)
    solves = {name: [_timed(fn, graph) for _ in range(3)] for name, fn in
              (("optimal", optimal), ("stable", stable), ("greedy", greedy))}
    chosen = {name: runs[0][0] for name, runs in solves.items()}
    _, reasons_s = _timed(to_assignment, graph, chosen["optimal"], cohort, index)
    _, full = _timed(assign, cohort, index, "optimal")
    totals = {name: float(graph.score[edges].sum()) for name, edges in chosen.items()}
    return {"mentees": n_mentees, "mentors": n_mentors, "edges": len(graph.score), "index_build_s": round(built, 2),
            "candidates_s": round(generated, 2), "pairs_with_reasons_s": round(reasons_s, 2),
            "assign_optimal_total_s": round(full, 2),
            **{f"{name}_solve_s": round(min(t for _, t in runs), 3) for name, runs in solves.items()},
            **{f"{name}_total_score": round(total, 2) for name, total in totals.items()},
            **{f"{name}_matched": len(edges) for name, edges in chosen.items()}}, graph


def peak_rss_mb() -> float:
    """This process's peak resident set size. VmHWM, not ru_maxrss: a child started by fork + exec inherits the
    parent's ru_maxrss, while VmHWM belongs to the address space exec created."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def solve_only(path: str) -> dict:
    """Child process: load a saved candidate graph, solve `optimal`, report time and this process's peak RSS."""
    from matching.candidates import CandidateGraph
    from matching.strategies import optimal

    with np.load(path) as saved:
        graph = CandidateGraph(saved["mentee"], saved["mentor"], saved["score"], saved["score"],
                               np.zeros((len(saved["score"]), 0)), saved["mentee_ids"], saved["mentor_ids"],
                               saved["capacity"])
    before = peak_rss_mb()
    chosen, seconds = _timed(optimal, graph)
    return {"solve_s": round(seconds, 3), "peak_rss_before_solve_mb": round(before),
            "peak_rss_mb": round(peak_rss_mb()), "total_score": round(float(graph.score[chosen].sum()), 2)}


def bench_large(n_mentees: int, n_mentors: int) -> dict:
    """optimal at a large size: solve timed in this process and again in a child that does nothing else."""
    from matching.strategies import optimal

    _, _, graph, built, generated = cohort_graph(n_mentees, n_mentors)
    _, solve = _timed(optimal, graph)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "graph.npz")
        np.savez(path, mentee=graph.mentee, mentor=graph.mentor, score=graph.score, mentee_ids=graph.mentee_ids,
                 mentor_ids=graph.mentor_ids, capacity=graph.capacity)
        child = subprocess.run([sys.executable, __file__, "--solve-only", path], capture_output=True, text=True,
                               check=True)
    return {"mentees": n_mentees, "mentors": n_mentors, "edges": len(graph.score), "index_build_s": round(built, 2),
            "candidates_s": round(generated, 2), "optimal_solve_s": round(solve, 3),
            "pipeline_peak_rss_mb": round(peak_rss_mb()),
            "solve_only_process": json.loads(child.stdout)}


def bench_dense(n_mentees: int, n_mentors: int, min_score: float = 0.2) -> dict:
    """Our optimal (top-50 candidate graph) against linear_sum_assignment over every pair, capacities expanded."""
    from scipy.optimize import linear_sum_assignment

    from matching.scoring import score_batch
    from matching.strategies import optimal

    cohort, index, graph, _, _ = cohort_graph(n_mentees, n_mentors)
    ours = float(graph.score[optimal(graph)].sum())
    scores = score_batch(index.encode(cohort), index).total
    scores = np.where((scores >= min_score) & (index.free_capacity > 0), scores, 0.0)  # 0 = leave unmatched
    slots = np.repeat(np.arange(len(index)), index.free_capacity)
    dense, seconds = _timed(lambda: linear_sum_assignment(scores[:, slots], maximize=True))
    best = float(scores[:, slots][dense].sum())
    return {"mentees": n_mentees, "mentors": n_mentors, "slots": len(slots), "ours_total": round(ours, 4),
            "dense_total": round(best, 4), "gap_pct": round(100 * (best - ours) / best, 4),
            "dense_seconds": round(seconds, 2)}


def _deep_stack(fn, *args):
    """Run fn in a thread with a 1 GB stack and a high recursion limit: HospitalResident deep-copies its players,
    which point at each other through their preference lists, and recurses past Python's default limit."""
    result, limit = {}, sys.getrecursionlimit()
    threading.stack_size(1 << 30)
    sys.setrecursionlimit(1_000_000)
    worker = threading.Thread(target=lambda: result.update(value=fn(*args)))
    try:
        worker.start()
        worker.join()
    finally:
        sys.setrecursionlimit(limit)
        threading.stack_size(0)
    return result["value"]


def bench_pypi(HospitalResident, graph, ours_stable_s: float) -> dict:
    """HospitalResident on the very preferences our `stable` uses (top-50 lists), and agreement with it."""
    from matching.strategies import preference_orders, stable

    proposals, rank = preference_orders(graph)
    residents, hospitals = {}, {}
    for edge in proposals.tolist():
        residents.setdefault(int(graph.mentee[edge]), []).append(int(graph.mentor[edge]))
    for edge in np.argsort(rank).tolist():
        hospitals.setdefault(int(graph.mentor[edge]), []).append(int(graph.mentee[edge]))
    capacities = {mentor: int(graph.capacity[mentor]) for mentor in hospitals}
    game, created = _deep_stack(_timed, HospitalResident.create_from_dictionaries, residents, hospitals, capacities)
    solution, solved = _deep_stack(_timed, game.solve, "resident")
    theirs = sorted((r.name, h.name) for h, matched in solution.items() for r in matched)
    edges = stable(graph)
    ours = sorted(zip(graph.mentee[edges].tolist(), graph.mentor[edges].tolist(), strict=True))
    return {"create_s": round(created, 2), "solve_s": round(solved, 2), "ours_stable_s": round(ours_stable_s, 3),
            "speedup_solve": round(solved / ours_stable_s, 1),
            "speedup_create_and_solve": round((created + solved) / ours_stable_s, 1), "same_matching": theirs == ours}


def machine() -> dict:
    """What the numbers were measured on."""
    model = next((line.split(":", 1)[1].strip() for line in subprocess.run(
        ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name")), "?")
    versions = {name: importlib.metadata.version(name) for name in ("numpy", "scipy", "ortools")}
    return {"date": subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip(),
            "nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(), **versions,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def run(quick: bool, pypi_dir: str | None, skip_pypi: bool, part: str = "all", root: Path = ROOT) -> dict:
    """Every benchmark, in one process (the PyPI package first, before our matching is imported); `part`
    "recommend" runs the recommend series only, with the `matching` package found under `root` (an older
    checkout, to interleave old and new code)."""
    HospitalResident, version = (None, None) if skip_pypi or part == "recommend" else load_pypi_matching(pypi_dir)
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(ROOT / "bench"))
    # before data_matching, which puts this checkout first on sys.path and imports matching from there
    if not Path(importlib.import_module("matching").__file__).resolve().is_relative_to(root):
        raise RuntimeError(f"matching was imported from outside {root}")
    scale = 10 if quick else 1
    results = {"machine": machine(), "pypi_matching_version": version}
    results["recommend"] = [bench_recommend(n // scale, 500 // scale) for n in (10_000, 100_000)]
    if part == "recommend":
        return results
    results["assign_10k"], graph = bench_assign(10_000 // scale, 2_000 // scale)
    results["dense_check"] = bench_dense(2_000 // scale, 400 // scale)
    results["assign_50k"] = bench_large(50_000 // scale, 10_000 // scale)
    if HospitalResident is not None:
        results["pypi"] = bench_pypi(HospitalResident, graph, results["assign_10k"]["stable_solve_s"])
    return results


def main(argv=None) -> None:
    """Command line: run everything and print (and optionally save) the results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every size divided by 10 (a smoke run)")
    parser.add_argument("--skip-pypi", action="store_true", help="do not run the PyPI HospitalResident comparison")
    parser.add_argument("--pypi-matching", default=os.environ.get("PYPI_MATCHING_PATH"),
                        help="directory the PyPI `matching` was installed into with pip --target")
    parser.add_argument("--out", help="also write the JSON results here")
    parser.add_argument("--part", choices=("all", "recommend"), default="all", help="recommend: that series only")
    parser.add_argument("--matching-root", type=Path, default=ROOT,
                        help="checkout whose matching/ is benchmarked (default: this one)")
    parser.add_argument("--solve-only", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.solve_only:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(solve_only(args.solve_only)))
        return
    results = run(args.quick, args.pypi_matching, args.skip_pypi, args.part, args.matching_root.resolve())
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
