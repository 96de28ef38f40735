#!/usr/bin/python3
"""NumPy baseline for the fast path: the same reduced (eigenbasis) SGD, vectorised over trials.

What a researcher would write with NumPy: per step, draw a (trials, M) block of normals, form zeta =
sqrt(mu) * g, residuals, and the update; per-trial label noise. Same work as bench_fast_path
(decomposition = two coupled error vectors sharing the draws). Prints one JSON line.
"""
import argparse
import json
import time

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--M", type=int, default=256)
    p.add_argument("--trials", type=int, default=512)
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--split", type=int, default=0)
    p.add_argument("--a", type=float, default=1.5)
    p.add_argument("--gamma", type=float, default=0.1)
    args = p.parse_args()
    rng = np.random.default_rng(1)
    T, M = args.trials, args.M
    mu = np.arange(1, M + 1, dtype=np.float64) ** -args.a
    sq = np.sqrt(mu)
    eb = -rng.standard_normal((T, M))          # bias error starts at -u*
    ev = np.zeros((T, M)) if args.split else None
    sigma_eff = np.full(T, 0.1)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        z = rng.standard_normal((T, M))
        z *= sq
        xi = sigma_eff * rng.standard_normal(T)
        if args.split:
            rb = np.einsum("tm,tm->t", eb, z)
            rv = np.einsum("tm,tm->t", ev, z) - xi
            eb -= (args.gamma * rb)[:, None] * z
            ev -= (args.gamma * rv)[:, None] * z
        else:
            r = np.einsum("tm,tm->t", eb, z) - xi
            eb -= (args.gamma * r)[:, None] * z
    dt = time.perf_counter() - t0
    risk = float(np.mean((eb if ev is None else eb + ev) ** 2 @ mu))
    print(json.dumps({"M": M, "trials": T, "steps": args.steps, "split": args.split, "seconds": dt,
                      "trial_step_M_per_s": T * M * args.steps / dt, "numpy": np.__version__, "risk": risk}))


if __name__ == "__main__":
    main()
