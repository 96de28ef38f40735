#!/usr/bin/python3
"""sgdlaw from a notebook, as a script CI executes (ctest Python.DocsExample). Each block is a notebook cell.

    PYTHONPATH=python SGDLAW_BIN=build/sgdlaw python3 docs/python/example.py [--out FOLDER]

It writes its runs under FOLDER (default: a temporary folder) and prints what a notebook would show."""
import math
import os
import sys
import tempfile

import sgdlaw

out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else tempfile.mkdtemp(prefix="sgdlaw-example-")
os.makedirs(out, exist_ok=True)

# 1. One Monte Carlo run beside its exact curve: a = 2, b = 3, a Gaussian sketch M = 64 of d = 1024.
run = sgdlaw.run(a=2.0, b=3.0, d=1024, M=64, N=2 ** 14, trials=100, gamma_rel=0.5, out=f"{out}/run",
                 progress=False)
last = run.curves.iloc[-1]
print(f"R(N = {int(last['N'])}) = {last['risk_mc']:.5f} +- {last['risk_se']:.5f} (Monte Carlo), "
      f"{last['risk_exact']:.5f} (exact)")

# 2. The exact curve alone at d = inf (no model-size limit), noiseless, constant step, to N = 2^30 in well under a
#    second: its slope approaches the bias law -(b - 1) / a = -1.
ex = sgdlaw.exact(a=2.0, b=3.0, sigma=0.0, schedule="constant", sketch="identity", d=float("inf"), N=2 ** 30,
                  gamma_rel=0.5, out=f"{out}/exact")
n, e = ex.curves["N"], ex.excess
k = int((n > n.iloc[-1] / 10).idxmax())  # the first checkpoint in the last decade of N
slope = math.log(e.iloc[-1] / e.iloc[k]) / math.log(n.iloc[-1] / n.iloc[k])
print(f"exact excess at N = 2^30: {e.iloc[-1]:.3e}; local slope over the last decade {slope:.3f} "
      f"({len(n)} checkpoints)")

# 3. A sweep with two axes, exact only, and its fitted laws (the M law at the largest N inside its regime window
#    M <= 0.25 N_eff^(1/a); theory -min(a, b - 1) = -1.2).
sw = sgdlaw.sweep(grid={"M": [16, 32, 64, 128, 256], "N": [2 ** k for k in range(12, 21, 2)]}, a=1.5, b=2.2, d=4096,
                  monte_carlo=False, gamma_rel=0.5, fit={"bootstrap": 100}, out=f"{out}/sweep", progress=False)
print(sw.fits[["grid", "held", "held_value", "quantity", "method", "slope", "ci_lo", "ci_hi"]].to_string())

# 4. A user's own table: a power law with bootstrap intervals.
table = sw.final[sw.final["N"] == 2 ** 20][["M", "risk_exact"]].rename(columns={"M": "x", "risk_exact": "y"})
f = sgdlaw.fit(table, x="x", y="y", bootstrap=200, seed=1)
print("power-law fit of R vs M:", {k: f[k] for k in list(f)[:4]})

# 5. Errors come back as exceptions with the CLI's message.
try:
    sgdlaw.run(a=0.5, out=f"{out}/bad", progress=False)
except sgdlaw.ConfigError as err:
    print("refused:", err.message)
