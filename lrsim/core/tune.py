"""A fair fight: tune each run's lr (and momentum) on its own starts and step budget.

For every run and every named parameter, a log-scale search: a coarse grid,
then a refine between the best coarse value's two neighbours. Every
candidate value of every run is one run of ONE simulation (the same starts,
steps, surface and noise draws as the run file), so a stage costs one
engine call per candidate run rather than a simulation each. The run's own
value is always a candidate, so a tuned value is never worse on the metric.

Metrics (lower is better):

``final_loss``
    the median over particles of the loss after the last step, a diverged
    particle counting as +inf (so a value that diverges more than half the
    swarm scores +inf).
``iterations``
    the median over particles of the first step at which the loss gap (loss
    minus the surface's global minimum value) is <= ``loss_tol`` (1e-3, as
    ``lrsim stats``); a particle that never gets there, or diverges first,
    counts as steps + 1. Ties are broken by ``final_loss``.

Remaining ties go to the smaller value. Parameters are tuned one after the
other in the order given, each with the earlier ones at their tuned values.

Search spaces: ``lr`` from min(1e-4, lr / 10) to max(10, 10 lr), three
points per decade (at most ``MAX_COARSE``), then 8 points between the best
one's neighbours (a final spacing of 10^(1/15), about 17 %). ``momentum``
is SGD's or RMSprop's ``momentum`` or the Adam family's ``betas[0]``, searched
on 1 - momentum from 1 down to 1e-3 (momentum 0 ... 0.999) the same way. A
run whose schedule overrides the parameter (a one-cycle or cyclic lr, a
cycled momentum) or whose optimizer has none is left as it is, with a note.
Everything is deterministic: no random draws beyond the run file's own seeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from lrsim.core.engine import DEFAULT_MEMORY_BUDGET, Simulation
from lrsim.core.errors import ConfigError
from lrsim.core.runfile import RunConfig, RunFile, edited_run

METRICS = ("final_loss", "iterations")
PARAMS = ("lr", "momentum")
DEFAULT_LOSS_TOL = 1e-3
POINTS_PER_DECADE = 3
MAX_COARSE = 25
REFINE_POINTS = 8
MOMENTUM_GAP_RANGE = (1e-3, 1.0)  # 1 - momentum


@dataclass(frozen=True)
class ParamSearch:
    """One parameter of one run: every value tried (sorted) and its metric."""

    param: str
    values: np.ndarray
    metrics: np.ndarray
    start_value: float  # as the run file has it
    start_metric: float
    best_value: float
    best_metric: float
    note: str = ""  # why the parameter was left alone (then values is empty)

    @property
    def skipped(self) -> bool:
        return self.values.size == 0


@dataclass(frozen=True)
class RunTuning:
    label: str
    color: str
    optimizer: str
    searches: tuple[ParamSearch, ...]


@dataclass(frozen=True)
class TuneResult:
    metric: str
    runs: tuple[RunTuning, ...]
    runfile: RunFile  # the run file with every tuned value applied
    simulations: int  # engine simulations the search used
    candidate_runs: int  # candidate runs simulated, all stages together


# ----------------------------------------------------------------------------- parameters


def _momentum_key(run: RunConfig) -> str | None:
    spec = run.optimizer.spec
    names = {p.name for p in spec.params}
    if spec.momentum_kind == "momentum" and "momentum" in names:
        return "momentum"
    if spec.momentum_kind == "beta1" and "betas" in names:
        return "betas"
    return None


def read_param(run: RunConfig, param: str) -> float | None:
    """The run's value of ``param`` as it will run (defaults filled), or None if it has none."""
    params = run.optimizer.params
    if param == "lr":
        return float(params["lr"])
    key = _momentum_key(run)
    if key is None:
        return None
    return float(params[key][0] if key == "betas" else params[key])


def with_param(run: RunConfig, steps: int, param: str, value: float) -> RunConfig:
    """``run`` with ``param`` set to ``value`` (the other betas kept), resolved as the run
    file's run would be: ConfigError when its checks refuse it (nesterov needs momentum > 0)."""
    table = dict(run.optimizer.written)
    if param == "lr":
        table["lr"] = float(value)
    elif _momentum_key(run) == "betas":
        table["betas"] = [float(value), float(run.optimizer.params["betas"][1])]
    else:
        table["momentum"] = float(value)
    return edited_run(run, steps, optimizer=table)


def _why_not(run: RunConfig, param: str) -> str:
    """Empty if tuning ``param`` changes the run; else the reason it would not."""
    optimizer, schedule = run.optimizer, run.schedule
    if read_param(run, param) is None:
        return f"{optimizer.name} has no momentum"
    if param == "lr":
        one = schedule.curves(1.0, optimizer.base_momentum)[0]
        two = schedule.curves(2.0, optimizer.base_momentum)[0]
    else:
        one = schedule.curves(optimizer.lr, 0.25)[1]
        two = schedule.curves(optimizer.lr, 0.5)[1]
    if np.array_equal(one, two):
        return f"the {schedule.name} schedule sets the {param} itself"
    return ""


# ----------------------------------------------------------------------------- grids


def _to_search(param: str, values) -> np.ndarray:
    """Positions on the log axis the search walks: lr itself, or 1 - momentum."""
    values = np.asarray(values, dtype=np.float64)
    return values if param == "lr" else 1.0 - values


def _from_search(param: str, positions) -> np.ndarray:
    """Values for positions, rounded so a tuned file reads well (3 significant digits of the
    lr or of 1 - momentum); the rounded value is the one simulated."""
    positions = np.asarray(positions, dtype=np.float64)
    nice = np.array([float(f"{v:.3g}") for v in positions])
    return nice if param == "lr" else np.array([float(f"{1.0 - v:.6f}") for v in nice])


def coarse_grid(param: str, current: float | None) -> np.ndarray:
    """The coarse log-spaced values (sorted, with the run's own value) for ``param``."""
    if param == "lr":
        low, high = 1e-4, 10.0
        if current is not None and current > 0:
            low, high = min(low, current / 10.0), max(high, current * 10.0)
    else:
        low, high = MOMENTUM_GAP_RANGE
    decades = np.log10(high / low)
    count = int(min(MAX_COARSE, max(4, round(POINTS_PER_DECADE * decades) + 1)))
    values = _from_search(param, np.geomspace(low, high, count))
    if current is not None and _to_search(param, current) > 0:
        values = np.append(values, current)
    return np.unique(values)


def refine_grid(param: str, grid: np.ndarray, best: int) -> np.ndarray:
    """About ``REFINE_POINTS`` new values between the neighbours of ``grid[best]`` (log axis)."""
    positions = _to_search(param, grid)
    left, right = positions[max(best - 1, 0)], positions[min(best + 1, len(grid) - 1)]
    fine = np.unique(_from_search(param, np.geomspace(left, right, REFINE_POINTS + 3)))
    known = _to_search(param, grid)
    gaps = np.abs(np.log(_to_search(param, fine)[:, None] / known[None, :]))
    return fine[gaps.min(axis=1) > 0.02]  # not a rounding away from a value already tried


# ----------------------------------------------------------------------------- metrics


def run_metrics(sim: Simulation, metric: str, loss_tol: float = DEFAULT_LOSS_TOL) -> np.ndarray:
    """The metric of every run of a finished simulation (see the module docstring)."""
    steps = sim.steps
    out = np.empty(sim.n_runs)
    floor = None
    if metric == "iterations":
        minima = [p for p in sim.critical_points() if p.kind == "global_min"]
        if not minima:
            raise ConfigError("--metric", "iterations needs a surface with a known global minimum")
        floor = minima[0].value
    for index, run in enumerate(sim.runs):
        final = np.where(run.diverged, np.inf, run.loss[:, -1])
        final = np.where(np.isfinite(final), final, np.inf)
        if metric == "final_loss":
            out[index] = np.median(final)
            continue
        with np.errstate(invalid="ignore"):
            hit = run.loss - floor <= loss_tol
        first = np.where(hit.any(axis=1), sim.recorded_steps[np.argmax(hit, axis=1)], steps + 1)
        out[index] = np.median(first.astype(np.float64))
    return out


def _final_losses(sim: Simulation) -> np.ndarray:
    return run_metrics(sim, "final_loss")


# ----------------------------------------------------------------------------- search


def _simulate(runfile: RunFile, runs: list[RunConfig], metric, memory_budget, loss_tol):
    """(metric, final-loss tie-break) of each candidate run, from one simulation."""
    trial = replace(runfile, runs=tuple(runs))
    try:
        if metric == "iterations":  # needs every step's loss
            sim = Simulation(trial, memory_budget=memory_budget, allow_stride=False)
        else:  # only the last step matters: record the start and the end
            sim = Simulation(trial, memory_budget=memory_budget, stride=runfile.steps)
    except ConfigError as error:
        if error.field != "particles":
            raise
        raise ConfigError(
            "particles", f"tuning simulates {len(runs)} candidate runs at once: {error.problem}"
        ) from None
    sim.run_to_end()
    primary = run_metrics(sim, metric, loss_tol)
    secondary = primary if metric == "final_loss" else _final_losses(sim)
    return primary, secondary


def _evaluate(runfile, jobs, metric, memory_budget, loss_tol):
    """Score ``jobs`` = [(run, param, values)] in one simulation: [(values, metric, tie)]."""
    steps = runfile.steps
    candidates: list[RunConfig] = []
    slots: list[list[int]] = []
    for run, param, values in jobs:
        indices = []
        for value in values:
            try:
                candidates.append(with_param(run, steps, param, float(value)))
                indices.append(len(candidates) - 1)
            except ConfigError:  # the run file's own checks refuse this value
                indices.append(-1)
        slots.append(indices)
    if candidates:
        primary, secondary = _simulate(runfile, candidates, metric, memory_budget, loss_tol)
    results = []
    for (_, _, values), indices in zip(jobs, slots, strict=True):
        metric_values = np.array([primary[i] if i >= 0 else np.inf for i in indices])
        ties = np.array([secondary[i] if i >= 0 else np.inf for i in indices])
        results.append((values, metric_values, ties))
    return results, len(candidates)


def _best(values: np.ndarray, metrics: np.ndarray, ties: np.ndarray) -> int:
    """Lowest metric, then lowest tie-break, then the smallest value."""
    return int(np.lexsort((values, ties, metrics))[0])


def tune_runfile(
    runfile: RunFile,
    params: tuple[str, ...] = ("lr",),
    metric: str = "final_loss",
    *,
    loss_tol: float = DEFAULT_LOSS_TOL,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> TuneResult | None:
    """Tune ``params`` of every run of ``runfile``; None if ``cancel()`` said stop.

    Two simulations per parameter (the coarse grids of all runs, then all the
    refines); each is checked against ``memory_budget`` like any simulation.
    """
    if metric not in METRICS:
        raise ConfigError("metric", f"must be one of {', '.join(METRICS)}, got {metric!r}")
    if not params:
        raise ConfigError("param", "name at least one parameter to tune")
    for param in params:
        if param not in PARAMS:
            raise ConfigError("param", f"must be one of {', '.join(PARAMS)}, got {param!r}")
    if len(set(params)) != len(params):
        raise ConfigError("param", "each parameter may be named once")
    steps = runfile.steps
    runs = list(runfile.runs)
    searches: list[list[ParamSearch]] = [[] for _ in runs]
    simulations = candidate_runs = 0
    total = 2 * len(params)
    for stage, param in enumerate(params):
        if cancel is not None and cancel():
            return None
        active = [i for i, run in enumerate(runs) if not _why_not(run, param)]
        starts = {i: read_param(runs[i], param) for i in active}
        coarse = {i: coarse_grid(param, starts[i]) for i in active}
        jobs = [(runs[i], param, coarse[i]) for i in active]
        first, count = _evaluate(runfile, jobs, metric, memory_budget, loss_tol)
        simulations, candidate_runs = simulations + bool(count), candidate_runs + count
        if progress is not None:
            progress(2 * stage + 1, total)
        if cancel is not None and cancel():
            return None
        refine_jobs = []
        for i, (values, scores, ties) in zip(active, first, strict=True):
            refine = refine_grid(param, values, _best(values, scores, ties))
            refine_jobs.append((runs[i], param, refine))
        second, count = _evaluate(runfile, refine_jobs, metric, memory_budget, loss_tol)
        simulations, candidate_runs = simulations + bool(count), candidate_runs + count
        if progress is not None:
            progress(2 * stage + 2, total)
        outcome = dict(zip(active, zip(first, second, strict=True), strict=True))
        for i, run in enumerate(runs):
            if i not in outcome:
                value = read_param(run, param)
                value = float("nan") if value is None else value
                note = _why_not(run, param)
                empty = np.zeros(0)
                searches[i].append(
                    ParamSearch(param, empty, empty, value, np.nan, value, np.nan, note)
                )
                continue
            (v1, m1, t1), (v2, m2, t2) = outcome[i]
            values = np.concatenate([v1, v2])
            scores = np.concatenate([m1, m2])
            ties = np.concatenate([t1, t2])
            order = np.argsort(values, kind="stable")
            values, scores, ties = values[order], scores[order], ties[order]
            best = _best(values, scores, ties)
            own = int(np.argmin(np.abs(values - starts[i])))
            searches[i].append(
                ParamSearch(
                    param,
                    values,
                    scores,
                    starts[i],
                    float(scores[own]),
                    float(values[best]),
                    float(scores[best]),
                )  # fmt: skip
            )
            runs[i] = with_param(run, steps, param, float(values[best]))
    tuned = replace(runfile, runs=tuple(runs))
    result_runs = tuple(
        RunTuning(run.label, run.color, run.optimizer.name, tuple(found))
        for run, found in zip(runfile.runs, searches, strict=True)
    )
    return TuneResult(metric, result_runs, tuned, simulations, candidate_runs)


def describe(result: TuneResult) -> str:
    """The terminal report: per run and parameter, the best value, its metric, and the curve."""
    lines = []
    for tuning in result.runs:
        lines.append(f"{tuning.label} ({tuning.optimizer}):")
        for search in tuning.searches:
            if search.skipped:
                lines.append(f"  {search.param}: left at {search.start_value:.4g} ({search.note})")
                continue
            lines.append(
                f"  {search.param}: best {search.best_value:.4g} -> {result.metric} "
                f"{format_metric(search.best_metric)} (as written {search.start_value:.4g} -> "
                f"{format_metric(search.start_metric)})"
            )
            lines.append(f"    {search.param:>10}  {result.metric}")
            for value, score in zip(search.values, search.metrics, strict=True):
                mark = "  <- best" if value == search.best_value else ""
                lines.append(f"    {value:>10.4g}  {format_metric(score)}{mark}")
    return "\n".join(lines)


def format_metric(value: float) -> str:
    """A metric for a report: +inf (the worst) reads \"diverged\"."""
    return "diverged" if value == np.inf else f"{value:.4g}"
