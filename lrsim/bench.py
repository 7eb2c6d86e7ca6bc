"""``python -m lrsim.bench``: engine speed against plain NumPy, compile and start-up times.

Speed goals live here, in a benchmark, not in timed tests: a shared CI machine
would make a timed test flaky. See ``DESCRIPTION`` for what it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from lrsim.bench_million import print_million
from lrsim.core import fused
from lrsim.core.dispatch import optimizer_id, surface_id
from lrsim.core.engine import Simulation
from lrsim.core.optim.adam import reference as adam
from lrsim.core.runfile import parse_runfile
from lrsim.core.schedules import schedule_curves, validate_schedule
from lrsim.core.surfaces import get_surface

STEPS = 1000
# issue 13's goals, printed beside each figure: engine / NumPy at (N, recording every step),
# seconds of 10^6 particles x 1,000 steps, recompute latency (runs, N, steps), Parquet's
# share of the disk's write rate
RATIO_GOALS = {(100, True): 40, (10_000, True): 20}
RECOMPUTE_GOALS = {(3, 1, 1000): 0.2e-3, (3, 1000, 200): 5e-3}
DISK_SHARE_GOAL = 0.5
DESCRIPTION = (
    "Engine speed against plain NumPy. Workload: Adam + cosine lr on Rastrigin, float64, "
    "1,000 steps, random starts. Prints million particle-steps per second of the fused numba "
    "engine and of a vectorised NumPy loop at several swarm sizes, with and without recording "
    "every step (N = 1: the whole recompute, parse and build included); the recompute API's "
    "latency after a drag and a slider edit; a streamed export's rate and peak memory beside "
    "the disk's write rate and the simulation alone; then the first-call compile time (empty "
    "numba cache) and the start-up time with a warm cache."
)


def workload(n: int, steps: int = STEPS):
    return parse_runfile(
        {
            "steps": steps,
            "surface": {"name": "rastrigin"},
            "particles": {"random": {"n": n, "seed": 0}},
            "runs": [{"optimizer": {"name": "adam", "lr": 0.01}, "schedule": {"name": "cosine"}}],
        }
    )


def engine_rate(n: int, record: bool, repeats: int) -> float:
    """Particle-steps per second of Simulation.run_to_end (median of ``repeats``).

    At N = 1 the time is the whole recompute an edit costs without the recompute
    API: parse the run file, build the Simulation, run it."""
    times = []
    if n == 1:
        Simulation(workload(1)).run_to_end()  # loads the cached kernels; not part of the rate
    for _ in range(repeats):
        if n == 1:
            start = time.perf_counter()
            Simulation(workload(n), stride=None if record else STEPS).run_to_end()
            times.append(time.perf_counter() - start)
            continue
        sim = Simulation(workload(n), stride=None if record else STEPS)
        sim.run_to(1)  # loads the cached kernel; not part of the rate
        start = time.perf_counter()
        sim.run_to_end()
        times.append((time.perf_counter() - start) * STEPS / (STEPS - 1))
    return n * STEPS / float(np.median(times))


def numpy_rate(n: int, record: bool, steps: int) -> float:
    """Particle-steps per second of a vectorised NumPy Adam + cosine loop on Rastrigin."""
    surface = get_surface("rastrigin")
    p = surface.param_vector({})
    params = {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}
    params.update(amsgrad=False, decoupled_weight_decay=False)
    schedule = validate_schedule({"name": "cosine"}, momentum_kind="beta1", steps=STEPS)
    lrs, moms = schedule_curves(schedule, base_lr=0.01, base_momentum=0.9, steps=STEPS)
    rng = np.random.default_rng(0)
    theta = np.column_stack([rng.uniform(-5.12, 5.12, n), rng.uniform(-5.12, 5.12, n)])
    history = np.empty((steps + 1, 3, n)) if record else None
    state: dict = {}
    start = time.perf_counter()
    loss, gx, gy = surface.reference(theta[:, 0], theta[:, 1], p)
    for t in range(steps):
        theta = adam(theta, np.column_stack([gx, gy]), state, float(t + 1), lrs[t], moms[t], params)
        loss, gx, gy = surface.reference(theta[:, 0], theta[:, 1], p)
        if history is not None:
            history[t + 1, 0], history[t + 1, 1], history[t + 1, 2] = theta[:, 0], theta[:, 1], loss
    return n * steps / (time.perf_counter() - start)


def recompute_workload(runs: int, n: int, steps: int):
    """``runs`` Adam + cosine runs (lr 0.01, 0.02, ...) on Rastrigin from ``n`` random starts."""
    return parse_runfile(
        {
            "steps": steps,
            "surface": {"name": "rastrigin"},
            "particles": {"random": {"n": n, "seed": 0}},
            "runs": [
                {
                    "optimizer": {"name": "adam", "lr": 0.01 * (r + 1)},
                    "schedule": {"name": "cosine"},
                }
                for r in range(runs)
            ],
        }
    )


def recompute_latency(runs: int, n: int, steps: int, repeats: int = 30) -> tuple[float, float]:
    """Median seconds of (a drag: ``restart(starts=...)`` and ``run_to_end``, every run;
    a slider: ``set_run_params(0, lr=...)`` and ``run_to_end``, one run) on one Simulation."""
    sim = Simulation(recompute_workload(runs, n, steps))
    sim.run_to_end()  # loads the cached kernels; not part of the latency
    starts = sim.starts.copy()
    drags, sliders = [], []
    for k in range(repeats):
        moved = starts + 1e-3 * (k % 5)
        start = time.perf_counter()
        sim.restart(starts=moved)
        sim.run_to_end()
        drags.append(time.perf_counter() - start)
        start = time.perf_counter()
        sim.set_run_params(0, lr=0.01 * (1.0 + 0.1 * (k % 5)))
        sim.run_to_end()
        sliders.append(time.perf_counter() - start)
    return float(np.median(drags)), float(np.median(sliders))


def disk_write_rate(folder: str, size: int, repeats: int = 3) -> float:
    """Bytes per second of writing exactly ``size`` bytes into ``folder`` and fsyncing them,
    as the export writes its file (median of ``repeats``): the same folder, size and sync."""
    chunk = np.random.default_rng(0).integers(0, 255, 64 * 1024**2, dtype=np.uint8).tobytes()
    path = os.path.join(folder, "disk-rate.bin")
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        with open(path, "wb") as stream:
            for lo in range(0, size, len(chunk)):
                stream.write(memoryview(chunk)[: min(len(chunk), size - lo)])
            stream.flush()
            os.fsync(stream.fileno())
        rates.append(os.path.getsize(path) / (time.perf_counter() - start))
        os.unlink(path)
    return float(np.median(rates))


_SIMULATE_ONLY = (
    "import sys, time; t = time.perf_counter();"
    "from lrsim.core.runfile import load_runfile; from lrsim.core.stream import prefetched, "
    "simulate_blocks; r = load_runfile(sys.argv[1]);"
    "[None for _ in prefetched(simulate_blocks, runfile=r, stride=int(sys.argv[2]))];"
    "print(time.perf_counter() - t)"
)


def export_figures(n: int, steps: int, stride: int, suffix: str) -> dict:
    """Wall seconds, peak resident bytes (the child's own, from ``wait4``), output bytes and
    write rates of ``lrsim export`` of ``n`` Adam particles x ``steps``, every ``stride``-th
    step, to ``suffix``, in a child process; the disk's own write rate beside it, and the
    seconds of the same blocks simulated without writing (what the export cannot beat)."""

    def write_runfile(path: str, particles: int, length: int) -> None:
        with open(path, "w") as stream:
            json.dump(
                {
                    "steps": length,
                    "surface": {"name": "rastrigin"},
                    "particles": {"random": {"n": particles, "seed": 0}},
                    "runs": [{"optimizer": {"name": "adam", "lr": 0.01}}],
                },
                stream,
            )

    with tempfile.TemporaryDirectory() as folder:
        runfile, small = os.path.join(folder, "big.json"), os.path.join(folder, "small.json")
        write_runfile(runfile, n, steps)
        write_runfile(small, 1000, 2 * stride)
        out = os.path.join(folder, "out" + suffix)

        # the same export of a small swarm first: kernels the export path compiles on first
        # use after a source change (a minute) would otherwise count as writing time
        def command_for(path: str) -> list[str]:
            export = [sys.executable, "-m", "lrsim.cli", "export", path, "-o", out, "-q"]
            return [*export, "--stride", str(stride)]

        subprocess.run(command_for(small), check=True, stdout=subprocess.DEVNULL)
        os.unlink(out)
        start = time.perf_counter()
        child = subprocess.Popen(command_for(runfile))
        try:
            _, status, usage = os.wait4(child.pid, 0)  # this child's own peak
        except BaseException:  # Ctrl-C: no export left writing into a deleted folder
            child.kill()
            child.wait()
            raise
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise subprocess.CalledProcessError(child.returncode, child.args)
        peak = usage.ru_maxrss * 1024
        size = os.path.getsize(out)
        os.unlink(out)
        disk = disk_write_rate(folder, size)
        simulate = [sys.executable, "-c", _SIMULATE_ONLY, runfile, str(stride)]
        start = time.perf_counter()
        subprocess.run(simulate, check=True, capture_output=True)
        simulation = time.perf_counter() - start
    rows = n * len(range(0, steps + 1, stride))
    return {
        "seconds": seconds,
        "peak_rss": peak,
        "bytes": size,
        "rows": rows,
        "rate": size / seconds,
        "disk": disk,
        "simulation": simulation,
    }


def print_export(n: int, steps: int, stride: int, suffix: str) -> None:
    figures = export_figures(n, steps, stride, suffix)
    print(
        f"export {n:,} particles x {steps} steps, every {stride}th, to {suffix}: "
        f"{figures['rows']:,} rows, {figures['bytes'] / 1e6:.0f} MB in {figures['seconds']:.1f} s "
        f"= {figures['rate'] / 1e6:.0f} MB/s ({figures['rows'] / figures['seconds'] / 1e6:.1f} M "
        f"rows/s); disk write rate {figures['disk'] / 1e6:.0f} MB/s "
        f"({100 * figures['rate'] / figures['disk']:.0f} %, goal >= "
        f"{100 * DISK_SHARE_GOAL:.0f} %); peak resident "
        f"{figures['peak_rss'] / 1e6:.0f} MB; the same blocks simulated without writing "
        f"{figures['simulation']:.1f} s"
    )


def _goal(ratio: float | None) -> str:
    return f"{'>= ' + str(ratio) + 'x' if ratio else '':>6}"


TUNE_OPTIMIZERS = ("sgd", "adam", "rmsprop", "adagrad", "nadam", "adamax")


def tune_workload():
    """6 runs x 400 random starts x 200 steps on Rosenbrock, each run at lr 0.01."""
    return parse_runfile(
        {
            "steps": 200,
            "surface": {"name": "rosenbrock"},
            "particles": {"random": {"n": 400, "seed": 0}},
            "runs": [{"optimizer": {"name": name, "lr": 0.01}} for name in TUNE_OPTIMIZERS],
        }
    )


def tune_time(repeats: int = 3) -> tuple[float, int]:
    """(best wall seconds of tune_runfile on ``tune_workload``, candidate runs it simulated)."""
    from lrsim.core.tune import tune_runfile

    runfile = tune_workload()
    tune_runfile(runfile)  # loads the cached kernels; not part of the time
    best, candidates = float("inf"), 0
    for _ in range(repeats):
        start = time.perf_counter()
        result = tune_runfile(runfile)
        best = min(best, time.perf_counter() - start)
        candidates = result.candidate_runs
    return best, candidates


_PROBE = (
    "import time; t = time.perf_counter();"
    "from lrsim.bench import workload; from lrsim.core.engine import Simulation;"
    "s = Simulation(workload(1)); s.run_to(2); s = Simulation(workload(600)); s.run_to(2);"
    "print(time.perf_counter() - t)"
)


def _timed_process(env: dict) -> tuple[float, float]:
    """(wall seconds of a fresh interpreter that builds and steps a simulation, time it printed)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start, float(out.stdout.strip().splitlines()[-1])


def first_scene_seconds(env: dict) -> float | None:
    """Seconds from launching the app on ``env``'s cache to its first scene drawn (the lecture
    preset), or None without a display. On an empty cache NumPy draws it while a child
    process compiles the kernels (``lrsim.core.warmup``)."""
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return None
    with tempfile.TemporaryDirectory() as config:
        run_env = {**env, "LRSIM_QUIT_AFTER_SHOW": "scene", "XDG_CONFIG_HOME": config}
        start = time.time()
        out = subprocess.run(
            [sys.executable, "-m", "lrsim.cli"], env=run_env, capture_output=True, text=True
        )
    for line in out.stderr.splitlines():
        if "scene drawn" in line and "epoch " in line:
            return float(line.rsplit("epoch ", 1)[1].rstrip(")")) - start
    return None


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["interactive"]:  # drag and slider latency in the real window
        from lrsim.gui.bench.interactive import main as interactive

        return interactive(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m lrsim.bench", description=DESCRIPTION)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip N = 10^6 and compile timing; export 10^5 particles instead of 10^6",
    )
    parser.add_argument(
        "--torch-python",
        metavar="PATH",
        help="an interpreter with torch, to time the issue's torch peer at N = 10^6 (by "
        "default this one, when it can import torch)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    fused.compile_pair(surface_id(get_surface("rastrigin").value_grad), optimizer_id("adam"))
    print(
        f"the fused (Rastrigin, Adam) kernel compiled or loaded in "
        f"{time.perf_counter() - started:.1f} s (the app compiles a new pair in the background)"
    )
    print(f"Adam + cosine on Rastrigin, float64, {STEPS} steps; million particle-steps per second")
    print(f"{'N':>9} {'record':>7} {'engine':>9} {'numpy':>9} {'ratio':>7} {'goal':>6}")
    sizes = [1, 100, 10_000] + ([] if args.quick else [1_000_000])
    for n in sizes:
        for record in (True, False):
            if n == 1_000_000 and record:
                continue  # 24 GB of history: the engine would record every k-th step instead
            repeats = 5 if n <= 10_000 else 1  # median of 5, as the issue measured
            engine = engine_rate(n, record, repeats)
            numpy_steps = STEPS if n <= 10_000 else 20  # NumPy at 10^6: a sample of steps
            numpy = numpy_rate(n, record, numpy_steps)
            print(
                f"{n:>9} {'yes' if record else 'no':>7} {engine / 1e6:>9.2f} "
                f"{numpy / 1e6:>9.3f} {engine / numpy:>6.0f}x {_goal(RATIO_GOALS.get((n, record)))}"
            )
            if n == 1 and record:
                print(f"{'':>9} one particle, {STEPS} steps: {STEPS / engine * 1e3:.3f} ms")
            if n == 1_000_000:
                print_million(n * STEPS / engine, STEPS, args.torch_python)
    for runs, n, steps in ((3, 1, 1000), (3, 1000, 200)):
        drag, slider = recompute_latency(runs, n, steps)
        print(
            f"recompute {runs} runs x {n} particles x {steps} steps: drag (restart(starts), all "
            f"runs) {drag * 1e3:.3f} ms; slider (set_run_params, one run) {slider * 1e3:.3f} ms "
            f"(goal <= {RECOMPUTE_GOALS[(runs, n, steps)] * 1e3:g} ms)"
        )
    if args.quick:
        print_export(100_000, 1000, 10, ".parquet")
    else:
        print_export(1_000_000, 1000, 10, ".parquet")
        print_export(1_000_000, 1000, 10, ".npz")
    seconds, candidates = tune_time()
    print(
        f"lrsim tune, lr: 6 runs x 400 particles x 200 steps, {candidates} candidate runs: "
        f"{seconds:.2f} s"
    )
    if not args.quick:
        env = dict(os.environ)
        with tempfile.TemporaryDirectory() as cache:
            env["NUMBA_CACHE_DIR"] = cache
            cold_wall, cold_inner = _timed_process(env)
            warm_wall, warm_inner = _timed_process(env)
        print(f"first call, empty numba cache: {cold_inner:.1f} s (process {cold_wall:.1f} s)")
        print(f"start-up with a warm cache: {warm_inner:.2f} s (process {warm_wall:.2f} s)")
        with tempfile.TemporaryDirectory() as cache:  # last: it leaves a compile running
            cold_scene = first_scene_seconds({**env, "NUMBA_CACHE_DIR": cache})
        if cold_scene is not None:
            print(f"app, empty numba cache: lecture preset drawn {cold_scene:.2f} s after launch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
