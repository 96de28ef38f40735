#!/usr/bin/python3
"""Tables and a figure of the data-reuse study (configs/data-reuse.toml) from its sweep folder.

For every point: the Monte Carlo excess risk R - sigma^2 of multi-pass SGD over n samples, and the excess risk
that one pass over N fresh samples would give (the run's exact column: same N, same schedule). Their ratio is
the cost of repeating data at a fixed number of samples processed. Also: the slope of the excess risk against
the unique data n at 4 passes, fitted by least squares in log-log, beside the one-pass theory (1 - b)/a.
Usage: data_reuse_table.py <sweep folder>   (writes data_reuse.png and data_reuse.md there)
"""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import sgdlaw  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def slope(xs, ys):
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main():
    folder = sys.argv[1]
    sw = sgdlaw.read_sweep(folder)
    f = sw.final.copy()
    f["passes"] = f["N"] / f["point"].map(lambda p: float(sw.run(p).config["sgd"]["dataset"]))
    f["n"] = f["point"].map(lambda p: int(sw.run(p).config["sgd"]["dataset"]))
    f["excess"] = f["risk_mc"] - f["sigma2"]
    f["excess_fresh"] = f["risk_exact"] - f["sigma2"]
    f["ratio"] = f["excess"] / f["excess_fresh"]
    lines = ["# Data reuse: measured", "",
             "Fixed budget N = 16384 samples processed (identity sketch, M = d = 1024, 100 trials, geometric schedule):",
             "", "| a | b | passes | unique n | excess R - sigma^2 (MC +- SE) | one pass over N fresh | ratio |",
             "|---|---|---|---|---|---|---|"]
    budget = f[f["grid"].str.startswith("passes")].sort_values(["a", "b", "passes"])
    for _, r in budget.iterrows():
        lines.append(f"| {r['a']:g} | {r['b']:g} | {r['passes']:g} | {r['n']} | {r['excess']:.4f} +- {r['risk_se']:.4f} | "
                     f"{r['excess_fresh']:.4f} | {r['ratio']:.3f} |")
    lines += ["", "4 passes over n samples (N = 4 n): excess risk against the unique data n:", "",
              "| a | fitted slope vs n (4 passes) | slope vs N of one pass over N fresh (exact) | theory (1 - b)/a |",
              "|---|---|---|---|"]
    fixed = f[f["grid"].str.match(r"n\d")]
    for a, g in fixed.groupby("a"):
        g = g.sort_values("n")
        s_reuse = slope(g["n"], g["excess"])
        s_fresh = slope(g["N"], g["excess_fresh"])
        lines.append(f"| {a:g} | {s_reuse:.3f} | {s_fresh:.3f} | {(1 - a) / a:.3f} |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(folder, "data_reuse.md"), "w") as out:
        out.write(text)
    print(text)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for (a, b), g in budget.groupby(["a", "b"]):
        ax.errorbar(g["passes"], g["ratio"], yerr=2 * g["risk_se"] / g["excess_fresh"], fmt="o-", ms=4, capsize=2,
                    label=f"a = {a:g}, b = {b:g}")
    ax.axhline(1, color="gray", lw=1, ls=":")
    ax.axvline(4, color="gray", lw=0.8, ls="--", label="4 passes")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("passes over the data (N / n), N = 16384 samples processed")
    ax.set_ylabel("excess risk / excess risk of one fresh pass")
    ax.set_title("cost of repeating data at a fixed number of samples processed", fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8)
    fig.savefig(os.path.join(folder, "data_reuse.png"), dpi=130, bbox_inches="tight")
    print(f"wrote {os.path.join(folder, 'data_reuse.png')} and data_reuse.md")


if __name__ == "__main__":
    main()
