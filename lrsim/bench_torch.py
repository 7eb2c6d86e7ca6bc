"""The issue's torch peer, runnable by any Python with torch (it imports nothing of lrsim):
``python bench_torch.py N STEPS`` prints the seconds of N particles x STEPS steps of
torch.optim.Adam(fused=True) with CosineAnnealingLR on Rastrigin, float64, the gradient
written analytically (no autograd): the fastest torch way to this workload on a CPU.

``python -m lrsim.bench`` runs it beside the engine when torch can be imported there or
``--torch-python`` names an interpreter that has it; the 10^6 goal is a ratio to it.
"""

import math
import sys
import time


def seconds(n: int, steps: int) -> float:
    import torch

    a = 10.0
    generator = torch.Generator().manual_seed(0)
    start = torch.rand(n, 2, generator=generator, dtype=torch.float64) * 10.24 - 5.12
    theta = torch.nn.Parameter(start)
    optimizer = torch.optim.Adam([theta], lr=0.01, fused=True)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    began = time.perf_counter()
    with torch.no_grad():
        for _ in range(steps):
            theta.grad = 2.0 * theta + 2.0 * math.pi * a * torch.sin(2.0 * math.pi * theta)
            optimizer.step()
            schedule.step()
    return time.perf_counter() - began


if __name__ == "__main__":
    print(seconds(int(sys.argv[1]), int(sys.argv[2])))
