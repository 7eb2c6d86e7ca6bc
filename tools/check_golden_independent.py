"""Reproduce every golden case without torch and report how close it gets.

An independent float64 implementation written from REFERENCE.md alone: plain
Python floats (no FMA), analytic gradients (section 3; forward-mode dual numbers
for formula surfaces), closed-form schedules (section 1 and run-config.md), the
single-tensor optimizer rules (section 2) and the contract's divergence rule. It
is what lrsim's engine must also achieve, so a golden case this script cannot
reproduce within a small fraction of the tolerance is not a fair case.

    python tools/check_golden_independent.py [CASE ...]     # no torch needed

Prints, per case, the worst |a - e| / (1e-12 + 1e-9 |e|) over all values
(1.0 = the edge of the conformance tolerance).
"""

from __future__ import annotations

import ast
import math
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.golden import golden  # noqa: E402

PI = math.pi

# ---------------------------------------------------------------------------------------------
# Surfaces: value and analytic gradient (REFERENCE section 3)
# ---------------------------------------------------------------------------------------------


def s_quadratic(x, y, p):
    a, b = p["a"], p["b"]
    return 0.5 * (a * x * x + b * y * y), a * x, b * y


def s_saddle(x, y, p):
    return x * x - y * y, 2 * x, -2 * y


def s_rosenbrock(x, y, p):
    a, b = p["a"], p["b"]
    f = (a - x) ** 2 + b * (y - x * x) ** 2
    return f, -2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)


def s_himmelblau(x, y, p):
    u, v = x * x + y - 11, x + y * y - 7
    return u * u + v * v, 4 * x * u + 2 * v, 2 * u + 4 * y * v


def s_rastrigin(x, y, p):
    a = p["A"]
    f = 2 * a + (x * x - a * math.cos(2 * PI * x)) + (y * y - a * math.cos(2 * PI * y))
    return f, 2 * x + 2 * PI * a * math.sin(2 * PI * x), 2 * y + 2 * PI * a * math.sin(2 * PI * y)


def s_ackley(x, y, p):
    r = math.sqrt(0.5 * (x * x + y * y))
    e1 = math.exp(-0.2 * r)
    e2 = math.exp(0.5 * (math.cos(2 * PI * x) + math.cos(2 * PI * y)))
    f = -20 * e1 - e2 + math.e + 20
    gx = 2 * x * e1 / r + PI * math.sin(2 * PI * x) * e2
    gy = 2 * y * e1 / r + PI * math.sin(2 * PI * y) * e2
    return f, gx, gy


def s_beale(x, y, p):
    a1 = 1.5 - x + x * y
    a2 = 2.25 - x + x * y * y
    a3 = 2.625 - x + x * y**3
    gx = 2 * a1 * (y - 1) + 2 * a2 * (y * y - 1) + 2 * a3 * (y**3 - 1)
    gy = 2 * a1 * x + 4 * a2 * x * y + 6 * a3 * x * y * y
    return a1 * a1 + a2 * a2 + a3 * a3, gx, gy


def s_booth(x, y, p):
    u, w = x + 2 * y - 7, 2 * x + y - 5
    return u * u + w * w, 2 * u + 4 * w, 4 * u + 2 * w


def s_matyas(x, y, p):
    return 0.26 * (x * x + y * y) - 0.48 * x * y, 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x


def s_goldstein_price(x, y, p):
    s = x + y + 1
    pp = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
    a = 1 + s * s * pp
    d = 2 * x - 3 * y
    q = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
    b = 30 + d * d * q
    ax = 2 * s * pp + s * s * (-14 + 6 * x + 6 * y)
    bx = 4 * d * q + d * d * (-32 + 24 * x - 36 * y)
    by = -6 * d * q + d * d * (48 - 36 * x + 54 * y)
    return a * b, ax * b + a * bx, ax * b + a * by


def s_three_hump_camel(x, y, p):
    f = 2 * x * x - 1.05 * x**4 + x**6 / 6 + x * y + y * y
    return f, 4 * x - 4.2 * x**3 + x**5 + y, x + 2 * y


def s_six_hump_camel(x, y, p):
    f = (4 - 2.1 * x * x + x**4 / 3) * x * x + x * y + (-4 + 4 * y * y) * y * y
    return f, 8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3


def s_styblinski_tang(x, y, p):
    f = 0.5 * ((x**4 - 16 * x * x + 5 * x) + (y**4 - 16 * y * y + 5 * y))
    return f, 2 * x**3 - 16 * x + 2.5, 2 * y**3 - 16 * y + 2.5


def s_levi13(x, y, p):
    s3x, s3y, s2y = math.sin(3 * PI * x), math.sin(3 * PI * y), math.sin(2 * PI * y)
    f = s3x**2 + (x - 1) ** 2 * (1 + s3y**2) + (y - 1) ** 2 * (1 + s2y**2)
    gx = 3 * PI * math.sin(6 * PI * x) + 2 * (x - 1) * (1 + s3y**2)
    gy = (
        3 * PI * (x - 1) ** 2 * math.sin(6 * PI * y)
        + 2 * (y - 1) * (1 + s2y**2)
        + 2 * PI * (y - 1) ** 2 * math.sin(4 * PI * y)
    )
    return f, gx, gy


def s_easom(x, y, p):
    e = math.exp(-((x - PI) ** 2 + (y - PI) ** 2))
    f = -math.cos(x) * math.cos(y) * e
    gx = e * math.cos(y) * (math.sin(x) + 2 * (x - PI) * math.cos(x))
    gy = e * math.cos(x) * (math.sin(y) + 2 * (y - PI) * math.cos(y))
    return f, gx, gy


def s_two_basin(x, y, p):
    c, a, s, x0, y0 = p["c"], p["A"], p["s"], p["x0"], p["y0"]
    g = math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * s * s))
    f = c * (x * x + y * y) - a * g
    return f, 2 * c * x + a * g * (x - x0) / (s * s), 2 * c * y + a * g * (y - y0) / (s * s)


SURFACES = {
    "quadratic": ({"a": 1.0, "b": 1.0}, s_quadratic),
    "ill_conditioned": ({"a": 1.0, "b": 20.0}, s_quadratic),
    "saddle": ({}, s_saddle),
    "rosenbrock": ({"a": 1.0, "b": 100.0}, s_rosenbrock),
    "himmelblau": ({}, s_himmelblau),
    "rastrigin": ({"A": 10.0}, s_rastrigin),
    "ackley": ({}, s_ackley),
    "beale": ({}, s_beale),
    "booth": ({}, s_booth),
    "matyas": ({}, s_matyas),
    "goldstein_price": ({}, s_goldstein_price),
    "three_hump_camel": ({}, s_three_hump_camel),
    "six_hump_camel": ({}, s_six_hump_camel),
    "styblinski_tang": ({}, s_styblinski_tang),
    "levi13": ({}, s_levi13),
    "easom": ({}, s_easom),
    "two_basin": ({"c": 0.1, "A": 0.6, "s": 0.35, "x0": 2.0, "y0": 2.0}, s_two_basin),
}


class Dual:
    """a + b eps with eps^2 = 0 (b is a gradient pair)."""

    def __init__(self, v, d=(0.0, 0.0)):
        self.v, self.d = v, d

    @staticmethod
    def lift(o):
        return o if isinstance(o, Dual) else Dual(float(o))

    def __add__(self, o):
        o = Dual.lift(o)
        return Dual(self.v + o.v, (self.d[0] + o.d[0], self.d[1] + o.d[1]))

    __radd__ = __add__

    def __neg__(self):
        return Dual(-self.v, (-self.d[0], -self.d[1]))

    def __sub__(self, o):
        return self + (-Dual.lift(o))

    def __rsub__(self, o):
        return Dual.lift(o) - self

    def __mul__(self, o):
        o = Dual.lift(o)
        return Dual(self.v * o.v, tuple(self.d[i] * o.v + self.v * o.d[i] for i in range(2)))

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = Dual.lift(o)
        return Dual(
            self.v / o.v, tuple((self.d[i] * o.v - self.v * o.d[i]) / (o.v * o.v) for i in range(2))
        )

    def __rtruediv__(self, o):
        return Dual.lift(o) / self

    def __pow__(self, o):
        if isinstance(o, Dual):
            raise ValueError("only constant exponents")
        return self.chain(self.v**o, o * self.v ** (o - 1))

    def chain(self, value, deriv):
        return Dual(value, (self.d[0] * deriv, self.d[1] * deriv))


_FUNCS = {
    "sin": lambda a: a.chain(math.sin(a.v), math.cos(a.v)),
    "cos": lambda a: a.chain(math.cos(a.v), -math.sin(a.v)),
    "exp": lambda a: a.chain(math.exp(a.v), math.exp(a.v)),
    "log": lambda a: a.chain(math.log(a.v), 1 / a.v),
    "sqrt": lambda a: a.chain(math.sqrt(a.v), 0.5 / math.sqrt(a.v)),
    "tan": lambda a: a.chain(math.tan(a.v), 1 / math.cos(a.v) ** 2),
    "tanh": lambda a: a.chain(math.tanh(a.v), 1 - math.tanh(a.v) ** 2),
    "abs": lambda a: a.chain(abs(a.v), math.copysign(1.0, a.v)),
}


def formula_surface(text):
    tree = ast.parse(text, mode="eval").body

    def ev(n, env):
        if isinstance(n, ast.Constant):
            return float(n.value)
        if isinstance(n, ast.Name):
            return env[n.id]
        if isinstance(n, ast.UnaryOp):
            v = ev(n.operand, env)
            return -v if isinstance(n.op, ast.USub) else v
        if isinstance(n, ast.BinOp):
            a, b = ev(n.left, env), ev(n.right, env)
            op = type(n.op)
            if op is ast.Pow:
                return a**b
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            return a / b
        if isinstance(n, ast.Call):
            return _FUNCS[n.func.id](Dual.lift(ev(n.args[0], env)))
        raise ValueError(ast.dump(n))

    def f(x, y, p):
        out = ev(tree, {"x": Dual(x, (1.0, 0.0)), "y": Dual(y, (0.0, 1.0)), "pi": PI, "e": math.e})
        return out.v, out.d[0], out.d[1]

    return f


# ---------------------------------------------------------------------------------------------
# Schedules (closed forms)
# ---------------------------------------------------------------------------------------------


def schedule_value(t, c, lr0, steps, base_m):
    """(lr, momentum) for update t + 1; plateau handled by the caller."""
    n = c["name"]
    if n in SECOND_RELEASE or (n == "constant" and len(c) > 1):
        return second_release_value(t, c, lr0, steps, base_m)
    if n in ("linear", "polynomial") and c.get("total_iters") == 0:  # torch: never moves
        return lr0 * (c.get("start_factor", 1 / 3) if n == "linear" else 1.0), base_m
    if n == "constant":
        return lr0, base_m
    if n == "linear":
        s, e, tt = c.get("start_factor", 1 / 3), c.get("end_factor", 1.0), c.get("total_iters", 5)
        return lr0 * (s + (e - s) * min(t, tt) / tt), base_m
    if n == "step":
        return lr0 * c.get("gamma", 0.1) ** (t // c["step_size"]), base_m
    if n == "multistep":
        return lr0 * c.get("gamma", 0.1) ** sum(m <= t for m in c["milestones"]), base_m
    if n == "exponential":
        if "gamma" in c:
            return lr0 * c["gamma"] ** t, base_m
        return lr0 * math.exp(-c["k"] * t), base_m
    if n == "cosine":
        tm, m = c.get("T_max", steps), c.get("eta_min", 0.0)
        return m + (lr0 - m) * (1 + math.cos(PI * t / tm)) / 2, base_m
    if n == "cosine_restarts":
        ti, tc, m = c["T_0"], t, c.get("eta_min", 0.0)
        while tc >= ti:
            tc -= ti
            ti *= c.get("T_mult", 1)
        return m + (lr0 - m) * (1 + math.cos(PI * tc / ti)) / 2, base_m
    if n == "polynomial":
        tt, pw = c.get("total_iters", 5), c.get("power", 1.0)
        return lr0 * (1 - min(t, tt) / tt) ** pw, base_m
    if n == "inverse_time":
        d = c.get("decay_steps", 1)
        q = math.floor(t / d) if c.get("staircase", False) else t / d
        return lr0 / (1 + c["decay_rate"] * q), base_m
    if n == "warmup":
        w, s = c["warmup_steps"], c.get("start_factor", 0.0)
        if t < w:
            return lr0 * (s + (1 - s) * t / w), base_m
        return schedule_value(t - w, c.get("then", {"name": "constant"}), lr0, steps, base_m)
    if n == "cyclic":
        up = float(c.get("step_size_up", 2000))
        down = float(c.get("step_size_down") or up)
        total = up + down
        r = up / total
        cycle = math.floor(1 + t / total)
        x = 1 + t / total - cycle
        h = x / r if x <= r else (x - 1) / (r - 1)
        window = c.get("window", "triangle")
        if window == "welch":
            h = 1 - (1 - h) ** 2
        elif window == "hann":
            h = (1 - math.cos(PI * h)) / 2
        mode = c.get("mode", "triangular")
        if mode == "triangular":
            a = 1.0
        elif mode == "triangular2":
            a = 1 / 2 ** (cycle - 1)
        else:
            a = c.get("gamma", 1.0) ** t
        lr = c["base_lr"] + (c["max_lr"] - c["base_lr"]) * h * a
        if not c.get("cycle_momentum", True):
            return lr, base_m
        bm, mm = c.get("base_momentum", 0.8), c.get("max_momentum", 0.9)
        return lr, mm - (mm - bm) * h * a
    if n == "onecycle":
        nn, pct = c.get("total_steps", steps), c.get("pct_start", 0.3)
        mx = c["max_lr"]
        init = mx / c.get("div_factor", 25.0)
        mn = init / c.get("final_div_factor", 1e4)
        bm, mm = c.get("base_momentum", 0.85), c.get("max_momentum", 0.95)
        if c.get("three_phase", False):
            phases = [
                (pct * nn - 1, init, mx, mm, bm),
                (2 * pct * nn - 2, mx, init, bm, mm),
                (nn - 1, init, mn, mm, mm),
            ]
        else:
            phases = [(pct * nn - 1, init, mx, mm, bm), (nn - 1, mx, mn, bm, mm)]
        start = 0.0
        for i, (end, l0, l1, m0, m1) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                pc = (t - start) / (end - start)
                if c.get("anneal_strategy", "cos") == "cos":

                    def f(a, b, pc=pc):
                        return b + (a - b) * (1 + math.cos(PI * pc)) / 2
                else:

                    def f(a, b, pc=pc):
                        return a + (b - a) * pc

                mom = f(m0, m1) if c.get("cycle_momentum", True) else base_m
                return f(l0, l1), mom
            start = end
    raise KeyError(n)


# Second-release schedules (run-config.md), written from their formulas -------------------------

SECOND_RELEASE = ("wsd", "inverse_sqrt", "warmup_cosine", "rex", "sequential")


def _shape(kind, p, rising, cycles=0.5):
    if kind == "linear":
        return p if rising else 1 - p
    if kind == "cosine":
        return (1 - math.cos(PI * p)) / 2 if rising else (1 + math.cos(2 * PI * cycles * p)) / 2
    return 1 - math.sqrt(1 - p) if rising else 1 - math.sqrt(p)


def _cycles_momentum(c):
    if c["name"] in ("cyclic", "onecycle"):
        return c.get("cycle_momentum", True)
    return False


def second_release_value(t, c, lr0, steps, base_m):
    """(lr, momentum) of the second-release schedules at t (closed forms, plain floats)."""
    n = c["name"]
    if n == "constant":  # ConstantLR; total_iters 0 keeps the factor (torch's first step)
        f, it = c.get("factor", 1.0), c.get("total_iters", 5)
        return (lr0 * f if (t < it or it == 0) else lr0), base_m
    if n == "wsd":
        w, d = c["num_warmup_steps"], c["num_decay_steps"]
        s = c.get("num_stable_steps")
        if s is None:
            s = c.get("num_training_steps", steps) - w - d
        m = c.get("min_lr_ratio", 0.0)
        if t < w:
            f = _shape(c.get("warmup_type", "linear"), t / max(1, w), True)
        elif t < w + s:
            return lr0, base_m
        elif t < w + s + d:
            p = (t - w - s) / max(1, d)
            f = _shape(c.get("decay_type", "cosine"), p, False, c.get("num_cycles", 0.5))
        else:
            return lr0 * m, base_m
        return lr0 * max(0.0, m + (1 - m) * f), base_m
    if n == "inverse_sqrt":
        w = c["num_warmup_steps"]
        ts = c.get("timescale") or (w or 10000)
        if t < w:
            return lr0 * t / max(1, w), base_m
        return lr0 / math.sqrt((t - w + ts) / ts), base_m
    if n == "warmup_cosine":
        w, nn = c["num_warmup_steps"], c.get("num_training_steps", steps)
        if t < w:
            return lr0 * t / max(1, w), base_m
        r = c["min_lr"] / lr0 if "min_lr" in c else c.get("min_lr_rate", 0.0)
        p = (t - w) / max(1, nn - w)
        cosine = (1 + math.cos(2 * PI * c.get("num_cycles", 0.5) * p)) / 2
        return lr0 * max(0.0, r + (1 - r) * cosine), base_m
    if n == "rex":
        total, low = c.get("total_steps", steps), c.get("eta_min", 0.0)
        if t >= total:
            return low, base_m
        z = t / total
        return low + (lr0 - low) * (1 - z) / (1 - z / 2), base_m
    if n == "sequential":
        kids, stones = c["schedules"], [0, *c.get("milestones", [])]
        movers = [k for k, kid in enumerate(kids) if _cycles_momentum(kid)]
        mom = base_m
        if movers:  # torch builds every child; the last cycling one wrote its start
            mom = schedule_value(0, kids[movers[-1]], lr0, steps, base_m)[1]
        for k, kid in enumerate(kids):
            local = t - stones[k]
            last = k == len(kids) - 1 or t < stones[k + 1]
            if not last and k in movers:  # ran to its end: its last momentum stays
                span = stones[k + 1] - stones[k]
                mom = schedule_value(span - 1, kid, lr0, span, mom)[1]
            if last:
                span = (stones[k + 1] if k + 1 < len(stones) else steps) - stones[k]
                if kid["name"] == "constant" and k > 0 and kid.get("total_iters", 5) == 0:
                    return lr0, mom  # switched in: ConstantLR's closed form, lr0
                lr, kid_mom = schedule_value(local, kid, lr0, span, mom)
                return lr, (kid_mom if k in movers else mom)
    raise KeyError(n)


class Plateau:
    def __init__(self, c, lr0):
        self.c, self.lr = c, lr0
        self.mode = c.get("mode", "min")
        self.best = math.inf if self.mode == "min" else -math.inf
        self.bad = self.cd = 0

    def step(self, a):
        c = self.c
        thr, rel = c.get("threshold", 1e-4), c.get("threshold_mode", "rel") == "rel"
        b = self.best
        if self.mode == "min":
            better = a < b * (1 - thr) if rel else a < b - thr
        else:
            better = a > b * (1 + thr) if rel else a > b + thr
        if better:
            self.best, self.bad = a, 0
        else:
            self.bad += 1
        if self.cd > 0:
            self.cd -= 1
            self.bad = 0
        if self.bad > c.get("patience", 10):
            new = max(self.lr * c.get("factor", 0.1), c.get("min_lr", 0.0))
            if self.lr - new > c.get("eps", 1e-8):
                self.lr = new
            self.cd, self.bad = c.get("cooldown", 0), 0


# ---------------------------------------------------------------------------------------------
# Optimizers (REFERENCE section 2), one coordinate pair at a time
# ---------------------------------------------------------------------------------------------

DEFAULTS = {
    "sgd": {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False},
    "adagrad": {
        "lr": 1e-2,
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    },
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
    "rmsprop": {
        "lr": 1e-2,
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    },
    "adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    "adamw": {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 1e-2,
        "amsgrad": False,
    },
    "nadam": {
        "lr": 2e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum_decay": 4e-3,
        "decoupled_weight_decay": False,
    },
    "radam": {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "decoupled_weight_decay": False,
    },
    "adamax": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
}


class Optimizer:
    def __init__(self, name, hyper):
        self.name = name
        self.h = {**DEFAULTS[name], **hyper}
        self.n = 0
        self.s = {}

    def step(self, th, g, lr, mom):
        """New (x, y) from th, gradient g, lr and momentum/beta1 of this update."""
        h, name, s = self.h, self.name, self.s
        self.n += 1
        n = self.n
        th, g = list(th), list(g)
        wd = h["weight_decay"]
        out = []
        for i in range(2):
            p, gi = th[i], g[i]
            st = s.setdefault(i, {})
            if name == "sgd":
                if wd:
                    gi = gi + wd * p
                if mom != 0:
                    if "b" not in st:
                        st["b"] = gi
                    else:
                        st["b"] = mom * st["b"] + (1 - h["dampening"]) * gi
                    d = gi + mom * st["b"] if h["nesterov"] else st["b"]
                else:
                    d = gi
                p = p - lr * d
            elif name == "adagrad":
                if wd:
                    gi = gi + wd * p
                clr = lr / (1 + (n - 1) * h["lr_decay"])
                st["s"] = st.get("s", h["initial_accumulator_value"]) + gi * gi
                p = p - clr * gi / (math.sqrt(st["s"]) + h["eps"])
            elif name == "adadelta":
                if wd:
                    gi = gi + wd * p
                rho, eps = h["rho"], h["eps"]
                v = rho * st.get("v", 0.0) + (1 - rho) * gi * gi
                delta = math.sqrt(st.get("u", 0.0) + eps) / math.sqrt(v + eps) * gi
                st["u"] = rho * st.get("u", 0.0) + (1 - rho) * delta * delta
                st["v"] = v
                p = p - lr * delta
            elif name == "rmsprop":
                if wd:
                    gi = gi + wd * p
                al = h["alpha"]
                st["v"] = al * st.get("v", 0.0) + (1 - al) * gi * gi
                if h["centered"]:
                    st["gm"] = st.get("gm", 0.0) + (1 - al) * (gi - st.get("gm", 0.0))
                    a = math.sqrt(st["v"] - st["gm"] ** 2) + h["eps"]
                else:
                    a = math.sqrt(st["v"]) + h["eps"]
                if mom > 0:
                    st["b"] = mom * st.get("b", 0.0) + gi / a
                    p = p - lr * st["b"]
                else:
                    p = p - lr * gi / a
            else:
                b1, b2 = mom, h["betas"][1]
                decoupled = name == "adamw" or h.get("decoupled_weight_decay", False)
                if wd and decoupled:
                    p = p * (1 - lr * wd)
                elif wd:
                    gi = gi + wd * p
                m = st.get("m", 0.0)
                m = m + (1 - b1) * (gi - m)
                st["m"] = m
                if name == "adamax":
                    st["u"] = max(b2 * st.get("u", 0.0), abs(gi) + h["eps"])
                    p = p - (lr / (1 - b1**n)) * m / st["u"]
                    out.append(p)
                    continue
                v = b2 * st.get("v", 0.0) + (1 - b2) * gi * gi
                st["v"] = v
                c1, c2 = 1 - b1**n, 1 - b2**n
                if name in ("adam", "adamw"):
                    if h["amsgrad"]:
                        st["vmax"] = max(st.get("vmax", 0.0), v)
                        v = st["vmax"]
                    p = p - (lr / c1) * m / (math.sqrt(v) / math.sqrt(c2) + h["eps"])
                elif name == "nadam":
                    psi = h["momentum_decay"]
                    mu = b1 * (1 - 0.5 * 0.96 ** (n * psi))
                    mu1 = b1 * (1 - 0.5 * 0.96 ** ((n + 1) * psi))
                    if i == 0:
                        self.prod = getattr(self, "prod", 1.0) * mu
                    prod = self.prod
                    d = math.sqrt(v / c2) + h["eps"]
                    p = p - lr * (1 - mu) / (1 - prod) * gi / d
                    p = p - lr * mu1 / (1 - prod * mu1) * m / d
                elif name == "radam":
                    mhat = m / c1
                    rinf = 2 / (1 - b2) - 1
                    rn = rinf - 2 * n * b2**n / c2
                    if rn > 5:
                        r = math.sqrt((rn - 4) * (rn - 2) * rinf / ((rinf - 4) * (rinf - 2) * rn))
                        p = p - mhat * lr * (math.sqrt(c2) / (math.sqrt(v) + h["eps"])) * r
                    else:
                        p = p - mhat * lr
            out.append(p)
        return out


def base_momentum(name, hyper):
    if name in ("sgd", "rmsprop"):
        return float(hyper.get("momentum", 0.0))
    if name in ("adagrad", "adadelta"):
        return 0.0
    return float(hyper.get("betas", (0.9, 0.999))[0])


def ok(*vals):
    return all(math.isfinite(v) and abs(v) <= 1e12 for v in vals)


def rotated(fn, degrees):
    """run-config.md's ``rotate``: f(R^-1 p) and its gradient R grad f(R^-1 p), with the
    cosine and sine of the angle reduced to [0, 360) (exact at multiples of 90)."""
    turned = math.fmod(float(degrees), 360.0) % 360.0
    exact = {0.0: (1.0, 0.0), 90.0: (0.0, 1.0), 180.0: (-1.0, 0.0), 270.0: (0.0, -1.0)}
    c, s = exact.get(turned, (math.cos(math.radians(turned)), math.sin(math.radians(turned))))

    def f(x, y, p):
        value, gu, gv = fn(c * x + s * y, c * y - s * x, p)
        return value, c * gu - s * gv, s * gu + c * gv

    return f


def simulate_case(case):
    surf = case["surface"]
    if "formula" in surf:
        fn, params = formula_surface(surf["formula"]), {}
    else:
        defaults, fn = SURFACES[surf["name"]]
        params = {**defaults, **surf.get("params", {})}
    if "rotate" in surf:
        fn = rotated(fn, surf["rotate"])
    steps = case["steps"]
    rows = []
    for r, run in enumerate(case["runs"]):
        hyper = {k: v for k, v in run["optimizer"].items() if k != "name"}
        name = run["optimizer"]["name"]
        sched = run.get("schedule", {"name": "constant"})
        lr0 = hyper.get("lr", DEFAULTS[name]["lr"])
        bm = base_momentum(name, hyper)
        for i, (x0, y0) in enumerate(case["particles"]["points"]):
            opt = Optimizer(name, hyper)
            plateau = Plateau(sched, lr0) if sched["name"] == "plateau" else None
            th = [float(x0), float(y0)]
            f, gx, gy = fn(th[0], th[1], params)
            frozen = None
            for t in range(steps + 1):
                if plateau is not None:
                    lr, mom = plateau.lr, bm
                else:
                    lr, mom = schedule_value(t, sched, lr0, steps, bm)
                state = frozen or (th[0], th[1], f)
                rows.append(
                    {
                        "run": r,
                        "label": run["label"],
                        "particle": i,
                        "step": t,
                        "x": state[0],
                        "y": state[1],
                        "loss": state[2],
                        "lr": lr,
                        "momentum": mom,
                    }
                )
                if t == steps:
                    break
                if frozen is None:
                    try:
                        new = opt.step(th, (gx, gy), lr, mom)
                        nf, ngx, ngy = fn(new[0], new[1], params)
                    except (OverflowError, ValueError, ZeroDivisionError):
                        new, nf = [math.inf, math.inf], math.inf
                    if ok(new[0], new[1], nf):
                        th, f, gx, gy = new, nf, ngx, ngy
                    else:
                        frozen = (th[0], th[1], f)
                if plateau is not None:
                    plateau.step(f)
    return rows


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:]) or golden.case_names()
    worst_all = 0.0
    failed = 0
    for name in names:
        with open(golden.case_path(name), "rb") as fh:
            case = tomllib.load(fh)
        optimizers = [run["optimizer"] for run in case["runs"]]
        if any(o["name"] not in DEFAULTS or o.get("maximize") for o in optimizers):
            # the second release's optimizers and maximize: tools/check_golden_reference.py
            print(f"{name:<45} skipped (second-release optimizer: check_golden_reference.py)")
            continue
        rows = simulate_case(case)
        expected = golden.load_expected(name)
        try:
            found, worst = golden.mismatches(rows, expected)
        except AssertionError as exc:
            print(f"{name}: STRUCTURE {exc}")
            failed += 1
            continue
        worst_all = max(worst_all, worst)
        status = "ok" if not found else f"FAIL ({len(found)} values)"
        failed += bool(found)
        print(f"{name:<45} {worst:10.3e}  {status}")
        if found:
            print("   ", found[0].describe(golden.RTOL, golden.ATOL))
    print(f"worst {worst_all:.3e} of the tolerance; {failed} cases failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
