#!/usr/bin/python3
"""Compares sgdlaw's exact curves for every optimizer with momentum_risk.py, an independent NumPy recursion
written from the model and the optimizers' definitions alone (not from sgdlaw's sources; it checks itself by
Monte Carlo with --mc). Identity sketch at finite d, so both compute the same expectation. Passes when risk,
bias and variance agree to 1e-10 relative (curves.csv prints 12 digits) at every checkpoint. DANA's defaults
(delta = 4 + b / a, kappa = 1 / a) are read back from config.json, so they are checked too.

usage: compare_optimizers.py SGDLAW_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgdlaw_cli import run_toml, toml_value  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = {"a": 1.5, "b": 2.0, "sigma": 0.3, "d": 60, "gamma": 0.2}
CASES = [
    {"optimizer": "heavy_ball", "momentum": 0.9, "gamma": 0.02, "schedule": "constant", "N": 6000, "batch": 1},
    {"optimizer": "heavy_ball", "momentum": 0.5, "schedule": "geometric", "N": 8000, "batch": 4},
    {"optimizer": "nesterov", "momentum": 0.8, "gamma": 0.05, "schedule": "cosine", "warmup": 100, "N": 6000,
     "batch": 2},
    {"optimizer": "nesterov", "momentum": 0.3, "schedule": "constant", "N": 3000, "batch": 3},
    {"optimizer": "dana_constant", "schedule": "constant", "N": 8000, "batch": 1},
    {"optimizer": "dana_constant", "dana_g3": 1.5, "dana_delta": 3.0, "schedule": "wsd", "N": 8000, "batch": 2},
    {"optimizer": "dana_decaying", "schedule": "constant", "N": 8000, "batch": 1},
    {"optimizer": "dana_decaying", "dana_g3": 0.6, "dana_kappa": 0.4, "schedule": "geometric", "N": 9000,
     "batch": 3},
]


def run_sgdlaw(binary, spec, work):
    lines = ["[problem]", "sketch = \"identity\""]
    lines += ["%s = %s" % (k, toml_value(spec[k])) for k in ("a", "b", "sigma", "d")]
    lines += ["[sgd]"] + ["%s = %s" % (k, toml_value(v)) for k, v in spec.items() if k not in ("a", "b", "sigma", "d")]
    lines += ["[run]", "monte_carlo = false", "checkpoint_ratio = 1.8", "out = \"out\"", "progress = false"]
    return run_toml(binary, lines, work)


def rel(x, y):
    return abs(x - y) / max(abs(y), 1e-12)


def main():
    binary = sys.argv[1]
    worst_all = 0.0
    for case in CASES:
        spec = dict(BASE, **case)
        with tempfile.TemporaryDirectory() as work:
            rows, recorded = run_sgdlaw(binary, spec, work)
            sgd = recorded["config"]["sgd"] if "config" in recorded else recorded["sgd"]
            ref_spec = dict(spec, N=spec["N"] // spec["batch"], checkpoints=[int(r["steps"]) for r in rows])
            for k in ("dana_delta", "dana_g3", "dana_kappa"):
                if k in sgd:
                    ref_spec[k] = sgd[k]
            spec_file = os.path.join(work, "spec.json")
            with open(spec_file, "w") as f:
                json.dump(ref_spec, f)
            ref = json.loads(subprocess.run([sys.executable, os.path.join(HERE, "momentum_risk.py"), spec_file],
                                            check=True, capture_output=True, text=True).stdout)
        worst = 0.0
        for k, r in enumerate(rows):
            worst = max(worst, rel(float(r["risk_exact"]), ref["risk"][k]), rel(float(r["bias_exact"]), ref["bias"][k]),
                        rel(float(r["variance_exact"]), ref["variance"][k]))
        print("%-14s %-62s worst relative difference %.2e" % (
            spec["optimizer"], json.dumps({k: v for k, v in case.items() if k != "optimizer"}), worst))
        worst_all = max(worst_all, worst)
    print("worst over all optimizers: %.2e (limit 1e-10)" % worst_all)
    return 0 if worst_all < 1e-10 else 1


if __name__ == "__main__":
    sys.exit(main())
