"""Plain NumPy update rules, written to be obviously right (REFERENCE.md section 2).

Each function advances every particle by one update: ``theta`` and ``grad`` are
``(N, 2)`` arrays, ``state`` a dict of arrays this function owns, ``n`` the
1-based update count, ``lr`` and ``momentum`` the values scheduled for this
update (``lr`` may be an ``(N, 1)`` array when a plateau schedule gives each
particle its own). ``p`` holds the resolved parameters by PyTorch name.
The numba kernels in ``kernels.py`` must give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def _add_weight_decay(grad, theta, p):
    return grad + p["weight_decay"] * theta if p["weight_decay"] != 0 else grad


def sgd(theta, grad, state, n, lr, momentum, p):
    grad = _add_weight_decay(grad, theta, p)
    if momentum != 0:
        if "buffer" not in state:
            state["buffer"] = grad.copy()
        else:
            state["buffer"] = momentum * state["buffer"] + (1 - p["dampening"]) * grad
        direction = grad + momentum * state["buffer"] if p["nesterov"] else state["buffer"]
    else:
        direction = grad
    return theta - lr * direction


def adagrad(theta, grad, state, n, lr, momentum, p):
    grad = _add_weight_decay(grad, theta, p)
    clr = lr / (1 + (n - 1) * p["lr_decay"])
    state.setdefault("sum", np.full_like(theta, p["initial_accumulator_value"]))
    state["sum"] = state["sum"] + grad * grad
    return theta - clr * grad / (np.sqrt(state["sum"]) + p["eps"])


def adadelta(theta, grad, state, n, lr, momentum, p):
    grad = _add_weight_decay(grad, theta, p)
    rho, eps = p["rho"], p["eps"]
    square_avg = rho * state.get("square_avg", 0.0) + (1 - rho) * grad * grad
    acc_delta = state.get("acc_delta", np.zeros_like(theta))
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
    state["square_avg"] = square_avg
    state["acc_delta"] = rho * acc_delta + (1 - rho) * delta * delta
    return theta - lr * delta


def rmsprop(theta, grad, state, n, lr, momentum, p):
    grad = _add_weight_decay(grad, theta, p)
    alpha = p["alpha"]
    square_avg = alpha * state.get("square_avg", 0.0) + (1 - alpha) * grad * grad
    state["square_avg"] = square_avg
    if p["centered"]:
        grad_avg = state.get("grad_avg", np.zeros_like(theta))
        grad_avg = grad_avg + (1 - alpha) * (grad - grad_avg)
        state["grad_avg"] = grad_avg
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + p["eps"]
    else:
        avg = np.sqrt(square_avg) + p["eps"]
    if momentum > 0:
        state["buffer"] = momentum * state.get("buffer", 0.0) + grad / avg
        return theta - lr * state["buffer"]
    return theta - lr * grad / avg


def _moments(grad, state, beta1, beta2):
    exp_avg = state.get("exp_avg", np.zeros_like(grad))
    state["exp_avg"] = exp_avg + (1 - beta1) * (grad - exp_avg)
    state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * grad * grad
    return state["exp_avg"], state["exp_avg_sq"]


def _decay(theta, grad, lr, p, decoupled):
    """Decoupled decay shrinks theta; coupled decay adds to the gradient."""
    if p["weight_decay"] == 0:
        return theta, grad
    if decoupled:
        return theta * (1 - lr * p["weight_decay"]), grad
    return theta, grad + p["weight_decay"] * theta


def adam(theta, grad, state, n, lr, beta1, p, decoupled=None):
    decoupled = p.get("decoupled_weight_decay", False) if decoupled is None else decoupled
    beta2 = p["betas"][1]
    theta, grad = _decay(theta, grad, lr, p, decoupled)
    exp_avg, exp_avg_sq = _moments(grad, state, beta1, beta2)
    if p["amsgrad"]:
        state["max_exp_avg_sq"] = np.maximum(state.get("max_exp_avg_sq", 0.0), exp_avg_sq)
        exp_avg_sq = state["max_exp_avg_sq"]
    step_size = lr / (1 - beta1**n)
    denom = np.sqrt(exp_avg_sq) / np.sqrt(1 - beta2**n) + p["eps"]
    return theta + (-step_size * exp_avg) / denom


def adamw(theta, grad, state, n, lr, beta1, p):
    return adam(theta, grad, state, n, lr, beta1, p, decoupled=True)


def nadam(theta, grad, state, n, lr, beta1, p):
    beta2, psi = p["betas"][1], p["momentum_decay"]
    theta, grad = _decay(theta, grad, lr, p, p["decoupled_weight_decay"])
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (n * psi))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((n + 1) * psi))
    state["mu_product"] = state.get("mu_product", 1.0) * mu
    exp_avg, exp_avg_sq = _moments(grad, state, beta1, beta2)
    denom = np.sqrt(exp_avg_sq / (1 - beta2**n)) + p["eps"]
    theta = theta + (-lr * (1.0 - mu) / (1.0 - state["mu_product"])) * grad / denom
    mu_product_next = state["mu_product"] * mu_next
    return theta + ((-lr * mu_next) / (1.0 - mu_product_next)) * exp_avg / denom


def radam(theta, grad, state, n, lr, beta1, p):
    beta2 = p["betas"][1]
    theta, grad = _decay(theta, grad, lr, p, p["decoupled_weight_decay"])
    exp_avg, exp_avg_sq = _moments(grad, state, beta1, beta2)
    correction1, correction2 = 1 - beta1**n, 1 - beta2**n
    corrected_avg = exp_avg / correction1
    rho_inf = 2 / (1 - beta2) - 1
    rho_n = rho_inf - 2 * n * beta2**n / correction2
    if rho_n > 5.0:
        rect = (
            (rho_n - 4) * (rho_n - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_n)
        ) ** 0.5
        adaptive = correction2**0.5 / (np.sqrt(exp_avg_sq) + p["eps"])
        return theta - corrected_avg * lr * adaptive * rect
    return theta - corrected_avg * lr


def adamax(theta, grad, state, n, lr, beta1, p):
    beta2 = p["betas"][1]
    grad = _add_weight_decay(grad, theta, p)
    exp_avg = state.get("exp_avg", np.zeros_like(theta))
    state["exp_avg"] = exp_avg + (1 - beta1) * (grad - exp_avg)
    state["exp_inf"] = np.maximum(beta2 * state.get("exp_inf", 0.0), np.abs(grad) + p["eps"])
    clr = lr / (1 - beta1**n)
    return theta + (-clr * state["exp_avg"]) / state["exp_inf"]


REFERENCE_UPDATES: dict[str, Callable] = {
    "sgd": sgd,
    "adagrad": adagrad,
    "adadelta": adadelta,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
    "nadam": nadam,
    "radam": radam,
    "adamax": adamax,
}
