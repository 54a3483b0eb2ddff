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

Issue 16 (`--part dense`): candidate generation at 50,000 × 10,000 by this checkout's matching/dense.py, by the
plain float32 reference in bench/dense_reference.py (same process) and by an older checkout (`--old-root`), each
in a fresh child process, old and new alternated; then the whole pipeline (index build + assign) with its peak
memory, and whether both checkouts' assignments are the same.

Usage: .venv/bin/python bench/bench_matching.py [--quick] [--skip-pypi] [--pypi-matching DIR] [--out FILE]
       [--part recommend|dense] [--matching-root CHECKOUT] [--old-root CHECKOUT] [--rounds N]
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


def _import_matching_from(root: Path) -> None:
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(ROOT / "bench"))
    if not Path(importlib.import_module("matching").__file__).resolve().is_relative_to(root.resolve()):
        raise RuntimeError(f"matching was imported from outside {root}")


def candidates_child(root: Path, n_mentees: int, n_mentors: int, reference_first: bool | None, save: str) -> dict:
    """Child process: candidate generation by the matching package under `root` (and, unless reference_first is
    None, the float32 reference in the same process, before or after it), then `optimal` on the graph; the edges
    and the chosen pairs are saved to `save` (.npz) for the parent to compare."""
    _import_matching_from(root)
    from data_matching import mentees, mentors

    from matching import MentorIndex
    from matching.candidates import candidate_graph
    from matching.strategies import optimal

    cohort = mentees(n_mentees, seed=4)
    index = MentorIndex.build(mentors(n_mentors, seed=5), week_of=WEEK)
    out = {"root": str(root), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    runs = [("candidates_s", lambda: candidate_graph(cohort, index))]
    if reference_first is not None:
        from dense_reference import reference_candidates
        runs.insert(0 if reference_first else 1, ("reference_s", lambda: reference_candidates(cohort, index)))
    found = {}
    for name, fn in runs:
        found[name], seconds = _timed(fn)
        out[name] = round(seconds, 2)
    graph = found["candidates_s"]
    if "reference_s" in found:
        rows, slots, scores = found.pop("reference_s")
        ours = graph.mentee.astype(np.int64) * len(index) + graph.mentor
        theirs = rows * len(index) + slots
        common, ours_at, theirs_at = np.intersect1d(ours, theirs, assume_unique=True, return_indices=True)
        out["reference_edges"] = len(theirs)
        out["reference_same_edges"] = len(common)
        out["reference_max_score_diff"] = float(np.abs(graph.score[ours_at] - scores[theirs_at]).max(initial=0))
        del rows, slots, scores, ours, theirs, common, ours_at, theirs_at
    chosen, solve = _timed(optimal, graph)
    out.update(edges=len(graph.score), optimal_solve_s=round(solve, 3), matched=len(chosen),
               optimal_total_score=float(graph.score[chosen].sum()),
               load_average_at_end=[round(x, 2) for x in os.getloadavg()])
    np.savez(save, mentee=graph.mentee_ids[graph.mentee], mentor=graph.mentor_ids[graph.mentor], score=graph.score,
             chosen=chosen)
    return out


def pipeline_child(root: Path, n_mentees: int, n_mentors: int) -> dict:
    """Child process: profiles made first (not timed), then the whole pipeline, index build + assign(optimal)
    (candidates, solve, pairs with reasons), its time, and this process's peak RSS before and after it."""
    _import_matching_from(root)
    from data_matching import mentees, mentors

    from matching import MentorIndex, assign

    cohort, pool = mentees(n_mentees, seed=4), mentors(n_mentors, seed=5)
    before = peak_rss_mb()
    load = [round(x, 2) for x in os.getloadavg()]
    start = time.perf_counter()
    index = MentorIndex.build(pool, week_of=WEEK)
    built = time.perf_counter() - start
    result = assign(cohort, index, "optimal")
    seconds = time.perf_counter() - start
    return {"root": str(root), "mentees": n_mentees, "mentors": n_mentors, "pipeline_s": round(seconds, 2),
            "index_build_s": round(built, 2), "total_score": result.total_score, "pairs": len(result.pairs),
            "peak_rss_before_mb": round(before), "peak_rss_mb": round(peak_rss_mb()), "load_average_at_start": load}


def _child(*args) -> dict:
    done = subprocess.run([sys.executable, __file__, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run_dense(old_root: Path, rounds: int, quick: bool) -> dict:
    """Issue 16: new, reference and old candidate generation alternated in child processes, then the pipeline."""
    scale = 10 if quick else 1
    big, small = (50_000 // scale, 10_000 // scale), (10_000 // scale, 2_000 // scale)
    results = {"machine": machine(), "uptime_before": _uptime(), "candidates": [], "pipeline": []}
    with tempfile.TemporaryDirectory() as tmp:
        saved = {}
        for round_ in range(rounds):
            order = [("old", old_root), ("new", ROOT)] if round_ % 2 == 0 else [("new", ROOT), ("old", old_root)]
            for name, root in order:
                path = saved.setdefault(name, os.path.join(tmp, f"{name}.npz"))
                reference = (["--reference-first"] if round_ % 2 else ["--reference-after"]) if name == "new" else []
                run = _child("--candidates-child", root, *big, path, *reference)
                results["candidates"].append({"code": name, "round": round_ + 1, **run})
                print(json.dumps(results["candidates"][-1]), file=sys.stderr)
        with np.load(saved["old"]) as old, np.load(saved["new"]) as new:
            same_edges = all(np.array_equal(old[key], new[key]) for key in ("mentee", "mentor"))
            old_total, new_total = float(old["score"][old["chosen"]].sum()), float(new["score"][new["chosen"]].sum())
            results["same_as_old"] = {
                "same_edges": same_edges,
                "max_edge_score_diff": float(np.abs(old["score"] - new["score"]).max()) if same_edges else None,
                "same_chosen_edges": bool(np.array_equal(old["chosen"], new["chosen"])),
                "old_total": old_total, "new_total": new_total,
                "relative_total_diff": abs(old_total - new_total) / abs(old_total)}
        for size in (big, small, small, small):
            for name, root in (("new", ROOT), ("old", old_root)):
                if name == "old" and size == big:
                    continue  # the old pipeline at full size: its candidate generation alone is timed above
                results["pipeline"].append({"code": name, **_child("--pipeline-child", root, *size)})
                print(json.dumps(results["pipeline"][-1]), file=sys.stderr)
    results["uptime_after"] = _uptime()
    return results


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
    parser.add_argument("--part", choices=("all", "recommend", "dense"), default="all",
                        help="recommend: that series only; dense: issue 16's candidate generation (see above)")
    parser.add_argument("--old-root", type=Path, default=Path("/work/wt-dense-old"),
                        help="--part dense: the checkout whose matching/ is the old code")
    parser.add_argument("--rounds", type=int, default=2, help="--part dense: old/new alternations")
    parser.add_argument("--candidates-child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--reference-first", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reference-after", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pipeline-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--matching-root", type=Path, default=ROOT,
                        help="checkout whose matching/ is benchmarked (default: this one)")
    parser.add_argument("--solve-only", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.solve_only:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(solve_only(args.solve_only)))
        return
    if args.candidates_child:
        root, n_mentees, n_mentors, save = args.candidates_child
        reference = True if args.reference_first else False if args.reference_after else None
        print(json.dumps(candidates_child(Path(root), int(n_mentees), int(n_mentors), reference, save)))
        return
    if args.pipeline_child:
        root, n_mentees, n_mentors = args.pipeline_child
        print(json.dumps(pipeline_child(Path(root), int(n_mentees), int(n_mentors))))
        return
    if args.part == "dense":
        results = run_dense(args.old_root.resolve(), args.rounds, args.quick)
    else:
        results = run(args.quick, args.pypi_matching, args.skip_pypi, args.part, args.matching_root.resolve())
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
