#!/usr/bin/python3
"""The batch-size study (issue 23): the critical batch size B_crit against the target risk, the data size N and the
model size M, beside the gradient noise scale B_noise, on both sides of b = a; and how the batch size changes the
N law at the tuned step size. Every number comes from `sgdlaw batch` and `sgdlaw run` (exact curves; the target
runs also confirm each S(B) by Monte Carlo). Writes study.csv, study.md (README's batch-size tables) and study.png.

usage: study.py SGDLAW_BINARY [--quick]     (about 6 minutes on 2 cores; --quick: under a minute, smaller grids)
       study.py --table | --plot            (study.md or study.png again from study.csv)

Setting: sigma = 0.5, constant step size tuned per point on the exact final risk, B = 1 .. 1024.
  target:  Gaussian sketch M = 128, d = 2048, N = 2^16; targets 1.25 .. 16 x the best excess reachable with N
           samples; every (target, B) confirmed by a 200-trial Monte Carlo run.
  N:       d = inf, identity sketch (no model-size limit), N = 2^12 .. 2^22, target 2 x the best at that N.
  M:       Gaussian sketch, d = 8192, N = 2^16, M = 32 .. 1024, target 2 x the best at (M, N).
  N law:   d = inf, identity sketch, gamma = "tuned" at each N, the final excess risk at N = 2^10 .. 2^22 for
           B = 1, 16, 256.
The claims tested: McCandlish et al. (arXiv 1812.06162) B_crit ~ B_noise; Zhang et al. (arXiv 2410.21676) B_crit
grows with the data size, not the model size.
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CELLS = [(2.0, 1.5), (2.0, 3.0)]  # b < a and b > a
SIGMA = 0.5


def toml(problem, sgd, batch=None, run=None):
    lines = []
    for name, keys in (("problem", problem), ("sgd", sgd), ("run", run or {}), ("batch", batch)):
        if keys is None:
            continue
        lines.append("[%s]" % name)
        for k, v in keys.items():
            lines.append("%s = %s" % (k, json.dumps(v)))
    return "\n".join(lines) + "\n"


def run_batch(binary, work, name, problem, n, batches, ratios, trials):
    out = os.path.join(work, name)
    path = out + ".toml"
    with open(path, "w") as f:
        f.write(toml(problem, {"N": n, "schedule": "constant"},
                     {"batches": batches, "target_ratio": ratios, "trials": trials, "resamples": 1000, "out": out},
                     {"seed": 11}))
    subprocess.run([binary, "batch", path, "--no-plot"], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "critical.csv")) as f:
        crit = list(csv.DictReader(f))
    with open(os.path.join(out, "batch.csv")) as f:
        points = list(csv.DictReader(f))
    return crit, points


def tuned_excess(binary, work, a, b, n, batch):
    out = os.path.join(work, "nlaw")
    path = out + ".toml"
    with open(path, "w") as f:
        f.write(toml({"a": a, "b": b, "sigma": SIGMA, "d": "inf", "head": 256, "sketch": "identity"},
                     {"N": n, "batch": batch, "schedule": "constant", "gamma": "tuned"},
                     run={"monte_carlo": False, "out": out, "progress": False}))
    subprocess.run([binary, "run", path], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "curves.csv")) as f:
        last = list(csv.DictReader(f))[-1]
    return float(last["bias_exact"]) + float(last["variance_exact"])


def fit_slope(x, y):
    """Least squares slope of log y on log x and its standard error (NaN with fewer than 3 points)."""
    lx, ly = [math.log(v) for v in x], [math.log(v) for v in y]
    n = len(lx)
    mx, my = sum(lx) / n, sum(ly) / n
    sxx = sum((u - mx) ** 2 for u in lx)
    s = sum((u - mx) * (v - my) for u, v in zip(lx, ly)) / sxx
    if n < 3:
        return s, math.nan
    res = sum((v - my - s * (u - mx)) ** 2 for u, v in zip(lx, ly))
    return s, math.sqrt(res / (n - 2) / sxx)


def row(a, b, axis, value, c):
    return {"a": a, "b": b, "axis": axis, "value": value, "target_excess": c["target_excess"], "status": c["status"],
            "b_crit": c["b_crit"], "b_crit_lo": c["b_crit_lo"], "b_crit_hi": c["b_crit_hi"], "s_min": c["s_min"],
            "e_min": c["e_min"], "rms_log": c["rms_log"], "b_noise": c["b_noise"], "max_abs_z": "", "max_abs_z_target": ""}


def measure(binary, quick):
    batches = [2 ** k for k in range(0, 9 if quick else 11)]
    ratios = [1.5, 4] if quick else [1.25, 1.5, 2, 3, 5, 8, 16]
    ns = [2 ** k for k in ((12, 14, 16) if quick else (12, 14, 16, 18, 20, 22))]
    ms = [32, 128, 512] if quick else [32, 64, 128, 256, 512, 1024]
    law_n = [2 ** k for k in range(10, 17 if quick else 23, 2)]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for a, b in CELLS:
            sketch = {"a": a, "b": b, "sigma": SIGMA, "sketch": "gaussian"}
            crit, points = run_batch(binary, work, "target", dict(sketch, d=2048, M=128), 2 ** 16, batches, ratios,
                                     100 if quick else 200)
            for c in crit:
                r = row(a, b, "target", c["target_ratio"], c)
                mine = [p for p in points if p["target"] == c["target"] and p["z_exact"]]
                r["max_abs_z"] = "%.3g" % max(abs(float(p["z_exact"])) for p in mine)
                r["max_abs_z_target"] = "%.3g" % max(abs(float(p["z_target"])) for p in mine)
                rows.append(r)
            for n in ns:
                crit, _ = run_batch(binary, work, "n%d" % n, {"a": a, "b": b, "sigma": SIGMA, "d": "inf", "head": 256,
                                                              "sketch": "identity"}, n, batches, [2], 0)
                rows.append(row(a, b, "N", n, crit[0]))
            for m in ms:
                crit, _ = run_batch(binary, work, "m%d" % m, dict(sketch, d=8192, M=m), 2 ** 16, batches, [2], 0)
                rows.append(row(a, b, "M", m, crit[0]))
            for batch in (1, 16, 256):
                for n in law_n:
                    e = tuned_excess(binary, work, a, b, n, batch)
                    rows.append({"a": a, "b": b, "axis": "nlaw_B%d" % batch, "value": n, "target_excess": "%.10g" % e})
            print("cell a = %g, b = %g done" % (a, b), flush=True)
    return rows


def read_rows():
    with open(os.path.join(HERE, "study.csv")) as f:
        return list(csv.DictReader(f))


def fmt(x, digits=3):
    return "%.*g" % (digits, float(x)) if x not in ("", None) else "-"


def exponent(rows, a, b, axis):
    sel = [r for r in rows if float(r["a"]) == a and float(r["b"]) == b and r["axis"] == axis and r["status"] == "ok"]
    x = [float(r["target_excess"] if axis == "target" else r["value"]) for r in sel]
    return fit_slope(x, [float(r["b_crit"]) for r in sel]), fit_slope(x, [float(r["b_noise"]) for r in sel])


def write_markdown(rows):
    md = ["| a | b | against | values | B_crit range [95% at the ends] | B_crit / B_noise | exponent of B_crit | "
          "exponent of B_noise |", "|---|---|---|---|---|---|---|---|"]
    for a, b in CELLS:
        for axis, what in (("target", "target excess"), ("N", "N"), ("M", "M")):
            sel = [r for r in rows if float(r["a"]) == a and float(r["b"]) == b and r["axis"] == axis]
            ok = [r for r in sel if r["status"] == "ok"]
            (sc, sc_se), (sn, sn_se) = exponent(rows, a, b, axis)
            span = "%s .. %s" % (fmt(sel[0]["value"] if axis != "target" else sel[0]["target_excess"]),
                                 fmt(sel[-1]["value"] if axis != "target" else sel[-1]["target_excess"]))
            ends = "%s [%s, %s] .. %s [%s, %s]" % (fmt(ok[0]["b_crit"]), fmt(ok[0]["b_crit_lo"]),
                                                   fmt(ok[0]["b_crit_hi"]), fmt(ok[-1]["b_crit"]),
                                                   fmt(ok[-1]["b_crit_lo"]), fmt(ok[-1]["b_crit_hi"]))
            ratio = [float(r["b_crit"]) / float(r["b_noise"]) for r in ok]
            md.append("| %g | %g | %s | %s | %s | %.2f .. %.2f | %.3f +- %.3f | %.3f +- %.3f |" % (
                a, b, what, span, ends, min(ratio), max(ratio), sc, sc_se, sn, sn_se))
    md += ["", "| a | b | B | N-law exponent of the tuned excess (all N) | last local slope |", "|---|---|---|---|---|"]
    for a, b in CELLS:
        for batch in (1, 16, 256):
            sel = [r for r in rows if float(r["a"]) == a and float(r["b"]) == b and r["axis"] == "nlaw_B%d" % batch]
            n = [float(r["value"]) for r in sel]
            e = [float(r["target_excess"]) for r in sel]
            s, se = fit_slope(n, e)
            last = math.log(e[-1] / e[-2]) / math.log(n[-1] / n[-2])
            md.append("| %g | %g | %d | %.3f +- %.3f | %.3f |" % (a, b, batch, s, se, last))
    zs = [float(r["max_abs_z"]) for r in rows if r.get("max_abs_z")]
    zt = [float(r["max_abs_z_target"]) for r in rows if r.get("max_abs_z_target")]
    md += ["", "Monte Carlo checks at every (target, B) of the target runs (%d targets x the B grid, 200 trials "
           "each): the largest |risk_mc - exact| / SE at (B, S(B)) is %.2f; the largest |risk_mc - target| / SE is "
           "%.2f, at the largest B, where S(B) is 4-6 whole steps and the exact risk after S(B) steps lies below "
           "the target (the fit uses the interpolated S)." % (len(zs), max(zs), max(zt))]
    with open(os.path.join(HERE, "study.md"), "w") as f:
        f.write("\n".join(md) + "\n")


def plot(rows):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=(19, 4.4))
    colours = {CELLS[0]: "#4C72B0", CELLS[1]: "#C44E52"}
    for k, (axis, xlabel) in enumerate((("target", "target excess risk"), ("N", "data size N (samples)"),
                                        ("M", "model size M"))):
        ax = axes[k]
        for cell in CELLS:
            sel = [r for r in rows if (float(r["a"]), float(r["b"])) == cell and r["axis"] == axis and
                   r["status"] == "ok"]
            x = [float(r["target_excess"] if axis == "target" else r["value"]) for r in sel]
            y = [float(r["b_crit"]) for r in sel]
            lo = [max(0.0, v - float(r["b_crit_lo"])) for v, r in zip(y, sel)]
            hi = [float(r["b_crit_hi"]) - v if r["b_crit_hi"] else 0.0 for v, r in zip(y, sel)]
            label = "a = %g, b = %g" % cell
            ax.errorbar(x, y, yerr=[lo, hi], fmt="o-", color=colours[cell], capsize=3, ms=4,
                        label="B_crit, " + label)
            ax.plot(x, [float(r["b_noise"]) for r in sel], "s--", color=colours[cell], ms=3, alpha=0.6,
                    label="B_noise, " + label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("batch size")
        ax.set_title("critical batch size vs " + xlabel.split(" (")[0], fontsize=10)
        ax.legend(fontsize=7)
    ax = axes[3]
    for cell in CELLS:
        for batch, style in ((1, "o-"), (16, "s--"), (256, "^:")):
            sel = [r for r in rows if (float(r["a"]), float(r["b"])) == cell and r["axis"] == "nlaw_B%d" % batch]
            ax.loglog([float(r["value"]) for r in sel], [float(r["target_excess"]) for r in sel], style,
                      color=colours[cell], ms=3, label="a = %g, b = %g, B = %d" % (cell + (batch,)))
    ax.set_xlabel("N (samples)")
    ax.set_ylabel("excess risk at tuned gamma (exact)")
    ax.set_title("N law at the tuned step size, per batch size", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "study.png"), dpi=120)


def main():
    if "--table" in sys.argv or "--plot" in sys.argv:
        rows = read_rows()
        if "--table" in sys.argv:
            write_markdown(rows)
        if "--plot" in sys.argv:
            plot(rows)
        return
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    rows = measure(os.path.abspath(sys.argv[1]), "--quick" in sys.argv)
    fields = ["a", "b", "axis", "value", "target_excess", "status", "b_crit", "b_crit_lo", "b_crit_hi", "s_min",
              "e_min", "rms_log", "b_noise", "max_abs_z", "max_abs_z_target"]
    with open(os.path.join(HERE, "study.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, restval="")
        w.writeheader()
        w.writerows(rows)
    write_markdown(rows)
    plot(rows)
    print("wrote study.csv, study.md, study.png in " + HERE)


if __name__ == "__main__":
    main()
