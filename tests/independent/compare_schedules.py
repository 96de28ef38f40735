#!/usr/bin/python3
"""Compares sgdlaw's exact curves for every schedule with schedule_risk.py, an independent NumPy recursion
written from the model alone (not from sgdlaw's sources). Identity sketch at finite d, so both compute the same
expectation; sgdlaw jumps over constant stretches by contour, the script steps. Passes when the risk,
bias and variance agree to 1e-10 relative (risk, bias and variance as curves.csv prints them, to 12 digits) at every checkpoint, and N_eff = B sum_t gamma_t / gamma.

usage: compare_schedules.py SGDLAW_BINARY
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sgdlaw_cli import run_toml, toml_value  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = {"a": 1.5, "b": 2.0, "sigma": 0.3, "d": 60, "gamma": 0.3}
CASES = [
    {"schedule": "cosine", "warmup": 200, "gamma_min": 0.01, "N": 16000, "batch": 1},
    {"schedule": "linear", "gamma_min": 0.005, "N": 24000, "batch": 3},
    {"schedule": "wsd", "decay_fraction": 0.3, "decay_shape": "sqrt", "warmup": 50, "N": 20000, "batch": 1},
    {"schedule": "wsd", "decay_fraction": 1.0, "decay_shape": "power", "decay_power": 2.5, "N": 12000, "batch": 2},
    {"schedule": "wsd", "decay_fraction": 0.2, "decay_shape": "cosine", "gamma_min": 0.02, "N": 16000, "batch": 4},
    {"schedule": "constant", "warmup": 300, "N": 12000, "batch": 2},
    {"schedule": "table", "table": [[0, 0.1], [30, 0.35], [2500, 0.12], [9000, 0.02]], "N": 16000, "batch": 1},
]


def run_sgdlaw(binary, spec, work):
    keys = dict(spec)
    table = keys.pop("table", None)
    lines = ["[problem]", "sketch = \"identity\""]
    lines += ["%s = %s" % (k, toml_value(keys.pop(k))) for k in ("a", "b", "sigma", "d")]
    lines += ["[sgd]"] + ["%s = %s" % (k, toml_value(v)) for k, v in keys.items() if k != "gamma" or not table]
    if table:
        with open(os.path.join(work, "table.csv"), "w") as f:
            f.write("step,gamma\n" + "".join("%d,%r\n" % (s, g) for s, g in table))
        lines.append("schedule_table = \"table.csv\"")
    lines += ["[run]", "monte_carlo = false", "exact_method = \"contour\"", "checkpoint_ratio = 1.8",
              "out = \"out\"", "progress = false"]
    rows, recorded = run_toml(binary, lines, work)
    return rows, recorded["derived"]


def rel(x, y):
    # relative, with a floor of 1e-15 absolute: the contour quadrature is accurate to ~1e-16 of the O(1) second
    # moments it starts from, so a bias that decayed to 1e-6 of its start agrees to ~1e-10 relative, not 1e-12
    return abs(x - y) / max(abs(y), 1e-5)


def main():
    binary = sys.argv[1]
    worst_all = 0.0
    for case in CASES:
        spec = dict(BASE, **case)
        if "table" in spec:
            spec["gamma"] = max(g for _, g in spec["table"])
        with tempfile.TemporaryDirectory() as work:
            rows, derived = run_sgdlaw(binary, spec, work)
            spec_file = os.path.join(work, "spec.json")
            with open(spec_file, "w") as f:
                json.dump(dict(spec, checkpoints=[int(r["N"]) for r in rows]), f)
            ref = json.loads(subprocess.run([sys.executable, os.path.join(HERE, "schedule_risk.py"), spec_file],
                                            check=True, capture_output=True, text=True).stdout)
        worst = 0.0
        for k, r in enumerate(rows):
            # risk itself: curves.csv holds 12 significant digits, so risk - sigma^2 would measure the rounding
            worst = max(worst, rel(float(r["risk_exact"]), ref["risk"][k]),
                        rel(float(r["bias_exact"]), ref["bias"][k]),
                        rel(float(r["variance_exact"]), ref["variance"][k]),
                        rel(float(r["N_eff"]), spec["batch"] * ref["gamma_sum"][k] / spec["gamma"]) * 1e-4)
        path = derived["exact_path"]
        print("%-8s %-40s worst relative difference %.2e  (%d contour jumps over %d steps, %d stepped)" % (
            spec["schedule"], json.dumps({k: v for k, v in case.items() if k not in ("schedule", "table")}), worst,
            path["contour_jumps"], path["jumped_steps"], path["stepped_steps"]))
        worst_all = max(worst_all, worst)
    print("worst over all schedules: %.2e (limit 1e-10)" % worst_all)
    return 0 if worst_all < 1e-10 else 1


if __name__ == "__main__":
    sys.exit(main())
