#!/usr/bin/python3
"""The optimizer study (issue 22): exponents of the N law and of the compute-optimal frontier for SGD, heavy ball,
Nesterov, DANA-constant and DANA-decaying, from sgdlaw's exact curves (monte_carlo = false), beside the
predicted exponents. Writes study.csv, the tables of README.md's optimizer section (study.md) and study.png here.

usage: study.py SGDLAW_BINARY [--quick]     (about 20 minutes on one core; --quick: 15 s, smaller sizes)
       study.py --table                     (study.md again from study.csv)

Setting: sigma = 0 (the noiseless setting of 4+3 and of arXiv 2505.16098), constant step size gamma_rel = 0.5 of each
optimizer's own stability limit (its prescription here; no per-point tuning), momentum beta = 0.9 for heavy ball
and Nesterov, DANA at its defaults (delta = 4 + b / a, g3 = 0.2, kappa = 1 / a; core/optimizer.hpp).
  N law:    d = inf, identity sketch (no model-size limit), the excess risk at N = 2^10 .. 2^30 (heavy ball and
            Nesterov by contour jumps; DANA-decaying, whose coefficients change every step, stepped to 2^24).
            DANA-constant needs a finite model size (gamma3 = g3 gamma B / M) and is in the frontier part only.
  Frontier: d = inf, Gaussian sketch by its deterministic equivalent, M = 32 .. 512, the excess risk R(M, N) at
            N = 16 .. 2^22 (checkpoints x2); R*(C) = min over M of R(M, C / M) (log-log interpolation in N), C = M N.
Predictions (a = 2 alpha, b = 2 alpha + 2 beta in the papers' notation):
  SGD N law  -(b - 1) / a for b - 1 < 2a - 1 (Lin et al. 2024 Thm 4.2; 4+3's F_pp).
  SGD frontier  -(b - 1) / (a + 1) for b < a + 1 (4+3's phase Ia: Approx M^-(b-1) meets the bias), as
            include/sgdlaw/sweep/theory.hpp computes it.
  heavy ball, Nesterov (constant beta): SGD's exponents (2505.16098: "SGD-M yields identical scaling law exponents").
  DANA-decaying: our reading of 2505.16098 (not checked against its text, which was not available): its effective
            step gamma2 + gamma3 / Delta grows like t^(1 - kappa), so the bias follows SGD's law in the time
            t^(2 - kappa) = t^(2 - 1/a): N-law exponent -(b - 1)(2 - 1/a) / a; and with Approx M^-(b-1) unchanged,
            frontier -(b - 1)(2 - 1/a) / (a + 2 - 1/a).
  DANA-constant: accelerates only after t ~ 1 / gamma3 ~ M (the paper's figure 1); no closed form used here.
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OPTIMIZERS = ["sgd", "heavy_ball", "nesterov", "dana_constant", "dana_decaying"]
CELLS = [(2.0, 1.5), (2.0, 2.5), (1.5, 2.2)]  # b < a, a < b < a + 1, a < b < a + 1 at another a


def run_exact(binary, keys, work):
    lines = ["[problem]"]
    sections = {"problem": ["a", "b", "sigma", "d", "sketch", "M", "head"],
                "run": ["monte_carlo", "checkpoint_ratio", "checkpoint_min", "out", "progress", "det_equiv"]}
    for section in ("problem", "sgd", "run"):
        if section != "problem":
            lines.append("[%s]" % section)
        for k, v in keys.items():
            sec = next((s for s, names in sections.items() if k in names), "sgd")
            if sec == section:
                lines.append("%s = %s" % (k, json.dumps(v)))
    path = os.path.join(work, "c.toml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run([binary, "run", path], cwd=work, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, keys["out"], "curves.csv")) as f:
        rows = list(csv.DictReader(f))
    return [(int(r["N"]), float(r["bias_exact"]) + float(r["variance_exact"])) for r in rows]


def optimizer_keys(opt):
    keys = {"optimizer": opt} if opt != "sgd" else {}
    if opt in ("heavy_ball", "nesterov"):
        keys["momentum"] = 0.9
    return keys


def slope(points, lo, hi):
    xs = [math.log(n) for n, r in points if lo <= n <= hi and r > 0]
    ys = [math.log(r) for n, r in points if lo <= n <= hi and r > 0]
    if len(xs) < 3:
        return float("nan")
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def interp_loglog(points, n):
    for (n0, r0), (n1, r1) in zip(points, points[1:]):
        if n0 <= n <= n1:
            u = (math.log(n) - math.log(n0)) / (math.log(n1) - math.log(n0))
            return math.exp((1 - u) * math.log(r0) + u * math.log(r1))
    return None


def predictions(a, b):
    sgd_n, sgd_f = -(b - 1) / a, -(b - 1) / (a + 1)
    dana_n = sgd_n * (2 - 1 / a)
    dana_f = -(b - 1) * (2 - 1 / a) / (a + 2 - 1 / a)
    return {"sgd": (sgd_n, sgd_f), "heavy_ball": (sgd_n, sgd_f), "nesterov": (sgd_n, sgd_f),
            "dana_constant": (float("nan"), float("nan")), "dana_decaying": (dana_n, dana_f)}


def main():
    if "--table" in sys.argv:
        with open(os.path.join(HERE, "study.csv")) as f:
            rows = [dict(r, **{k: float(r[k]) for k in ("a", "b", "n_law", "n_law_pred", "frontier", "frontier_pred")})
                    for r in csv.DictReader(f)]
        return write_markdown(rows)
    if "--plot" in sys.argv:
        with open(os.path.join(HERE, "study.csv")) as f:
            rows = list(csv.DictReader(f))
        with open(os.path.join(HERE, "study_curves.json")) as f:
            raw = json.load(f)
        curves = {}
        for k, v in raw.items():
            a, b, opt, kind = k.split("|")
            curves[(float(a), float(b), opt, kind)] = [tuple(p) for p in v]
        return plot(curves, rows)
    binary = os.path.abspath(sys.argv[1])
    quick = "--quick" in sys.argv
    n_top = {"contour": 2 ** (20 if quick else 30), "steps": 2 ** (18 if quick else 24)}
    ms = [32, 64, 128] if quick else [32, 64, 128, 256, 512]
    n_frontier = 2 ** (16 if quick else 22)
    rows, curves = [], {}
    with tempfile.TemporaryDirectory() as work:
        for a, b in CELLS:
            pred = predictions(a, b)
            for opt in OPTIMIZERS:
                stepped = opt.startswith("dana")
                base = dict(a=a, b=b, sigma=0.0, d="inf", gamma_rel=0.5, schedule="constant", monte_carlo=False,
                            checkpoint_ratio=2.0, checkpoint_min=1024, progress=False, **optimizer_keys(opt))
                law = []
                if opt != "dana_constant":
                    n = n_top["steps" if stepped else "contour"]
                    law = run_exact(binary, dict(base, sketch="identity", head=256, N=n, out="law"), work)
                    curves[(a, b, opt, "law")] = law
                frontier = {}
                for m in ms:
                    frontier[m] = run_exact(binary, dict(base, sketch="gaussian", M=m, N=n_frontier, checkpoint_min=16,
                                                         out="m%d" % m), work)
                # R*(C) over the compute values every M reaches
                # (the fit uses only compute values whose best M is inside the grid, not at either end of it)
                cs = [2.0 ** (k / 2) for k in range(24, 120)]
                best, interior = [], []
                for c in cs:
                    vals = [interp_loglog(frontier[m], c / m) for m in ms]
                    if all(v is not None for v in vals):
                        i = min(range(len(ms)), key=lambda k: vals[k])
                        best.append((c, vals[i]))
                        if 0 < i < len(ms) - 1:
                            interior.append((c, vals[i]))
                curves[(a, b, opt, "frontier")] = best
                law_slope = slope(law, 2 ** 14, 2 ** 40) if law else float("nan")
                f_slope = slope(interior, 0, float("inf"))
                c_range = "%.0e..%.0e" % (interior[0][0], interior[-1][0]) if len(interior) >= 3 else "not reached"
                rows.append(dict(a=a, b=b, optimizer=opt, n_law=law_slope, n_law_pred=pred[opt][0],
                                 n_law_range="2^14..%s" % ("2^%d" % round(math.log2(law[-1][0])) if law else "-"),
                                 frontier=f_slope, frontier_pred=pred[opt][1], frontier_range=c_range,
                                 risk_at_top=law[-1][1] if law else float("nan")))
                print("a=%g b=%g %-14s N law %.3f (pred %.3f)  frontier %.3f over %s (pred %.3f)" % (
                    a, b, opt, law_slope, pred[opt][0], f_slope, c_range, pred[opt][1]), flush=True)
    with open(os.path.join(HERE, "study.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    write_markdown(rows)
    with open(os.path.join(HERE, "study_curves.json"), "w") as f:  # what the figure draws (study.py --plot)
        json.dump({"|".join(map(str, k)): v for k, v in curves.items()}, f)
    plot(curves, rows)


def fmt(x):
    return "-" if x != x else "%.3f" % x


def write_markdown(rows):
    lines = ["| a | b | optimizer | N-law slope (N range) | predicted | frontier slope (C range) | predicted |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        law = "%s (%s)" % (fmt(r["n_law"]), r["n_law_range"]) if r["n_law"] == r["n_law"] else "needs a finite M"
        lines.append("| %g | %g | %s | %s | %s | %s (%s) | %s |" % (
            r["a"], r["b"], r["optimizer"], law, fmt(r["n_law_pred"]),
            fmt(r["frontier"]), r["frontier_range"], fmt(r["frontier_pred"])))
    with open(os.path.join(HERE, "study.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def plot(curves, rows):
    """Top: each optimizer's exact N law (d = inf, identity sketch). Bottom: the compute-optimal frontier, solid over
    the compute range the slope was fitted on (best M inside the grid), dotted outside it."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    colours = dict(zip(OPTIMIZERS, ["black", "tab:blue", "tab:green", "tab:orange", "tab:red"]))
    fit_range = {}
    for r in rows:
        lo_hi = r["frontier_range"].split("..")
        if len(lo_hi) == 2:
            fit_range[(float(r["a"]), float(r["b"]), r["optimizer"])] = (float(lo_hi[0]), float(lo_hi[1]))
    fig, axes = plt.subplots(2, len(CELLS), figsize=(4.4 * len(CELLS), 7.4))
    for j, (a, b) in enumerate(CELLS):
        for opt in OPTIMIZERS:
            law = curves.get((a, b, opt, "law"))
            if law:
                axes[0][j].loglog([n for n, _ in law], [r for _, r in law], color=colours[opt], label=opt)
            fr = curves.get((a, b, opt, "frontier"))
            if fr:
                lo, hi = fit_range.get((a, b, opt), (0.0, 0.0))
                # the fitted range solid (labelled), the rest dotted (no label)
                inside = [(c, r) for c, r in fr if lo * 0.99 <= c <= hi * 1.01]
                axes[1][j].loglog([c for c, _ in fr], [r for _, r in fr], color=colours[opt], ls=":", lw=1)
                if inside:
                    axes[1][j].loglog([c for c, _ in inside], [r for _, r in inside], color=colours[opt], label=opt)
        axes[0][j].set_title("a = %g, b = %g: exact N law, d = inf (no M limit)" % (a, b), fontsize=9)
        axes[0][j].set_xlabel("N (samples)")
        axes[0][j].set_ylabel("exact excess risk R - sigma^2")
        axes[1][j].set_title("a = %g, b = %g: frontier min_M R(M, C/M), M = 32..512" % (a, b), fontsize=9)
        axes[1][j].set_xlabel("compute C = M N (dotted: best M at the grid's edge)")
        axes[1][j].set_ylabel("exact R*(C) - sigma^2")
        axes[0][j].legend(fontsize=7)
        axes[1][j].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(HERE, "study.png"), dpi=110)


if __name__ == "__main__":
    main()
