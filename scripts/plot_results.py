#!/usr/bin/python3
"""Plots for sgdlaw outputs (PNG and SVG), called by `sgdlaw plot <folder>`.

A sweep folder (sweep.json, fits.csv, slopes.csv, frontier.csv, sweep.csv) gives:
  risk_vs_M, risk_vs_Neff   log-log, Monte Carlo means with 2-SE error bars, exact curve, fitted line
                            over its window and a theory-slope guide;
  decomposition             approximation / bias / variance (exact) stacked vs M at the largest N;
  frontier                  compute-optimal R* - sigma^2 and M* against compute C, with fits and theory.
A run folder (curves.csv) gives risk_vs_N and decomposition_vs_N.
A phases folder (phases.csv, from `sgdlaw phases`) gives the regime map phases.
A schedules folder (schedule_search.csv, from `sgdlaw schedule`) gives schedules: tuned schedules and risks.
A batch folder (critical.csv, from `sgdlaw batch`) gives batch: steps vs samples to each target with McCandlish's
hyperbola, B_crit and B_noise against the target, and B_noise along the runs.
"""
import csv
import json
import math
import os
import sys
from collections import defaultdict

# Exit codes (sgdlaw plot maps them): 0 drawn, 2 bad input (a file named with the reason on stderr),
# 3 matplotlib cannot be imported; anything else is a fault of this script.
EXIT_INPUT = 2
EXIT_NO_MATPLOTLIB = 3

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as import_error:
    sys.stderr.write(f"plot_results.py: cannot import matplotlib ({import_error})\n")
    sys.exit(EXIT_NO_MATPLOTLIB)


class InputError(Exception):
    """A file that cannot be plotted: main() prints "<path>: <reason>" and exits EXIT_INPUT."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


class Row(dict):
    """A CSV row whose missing column names the file instead of raising a bare KeyError."""

    def __init__(self, path, items):
        super().__init__(items)
        self.path = path

    def __missing__(self, key):
        raise InputError(self.path, f"has no column '{key}'")


def plain(text):
    """Text shown as written: a '$' would start matplotlib's mathtext (folder, grid and column names are the
    user's), so every '$' is escaped."""
    return str(text).replace("$", r"\$")


def read_csv(path, need_rows=True):
    """The rows of a table sgdlaw wrote; InputError for a missing, binary, empty or ragged file."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    except FileNotFoundError:
        raise InputError(path, "is missing") from None
    except UnicodeDecodeError:
        raise InputError(path, "is not a text table (binary or damaged)") from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror})") from None
    if "\0" in text:
        raise InputError(path, "is not a text table (binary or damaged)")
    try:
        rows = [r for r in csv.reader(line for line in text.splitlines() if not line.startswith("#")) if r]
    except csv.Error as e:
        raise InputError(path, f"is not a CSV table ({e})") from None
    if not rows:
        raise InputError(path, "is empty (not even a header row)")
    header, body = rows[0], rows[1:]
    if need_rows and not body:
        raise InputError(path, "has a header but no data rows")
    for i, r in enumerate(body, start=1):
        if len(r) != len(header):
            raise InputError(path, f"data row {i} has {len(r)} cells, the header {len(header)}")
    return [Row(path, zip(header, r)) for r in body]


def read_json(path, *keys):
    """A JSON file sgdlaw wrote, checked to hold the nested keys (each a list of keys from the top)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise InputError(path, "is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(path, f"does not parse as JSON ({e})") from None
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror})") from None
    for chain in keys:
        node = data
        for k in chain:
            if not isinstance(node, dict) or k not in node:
                raise InputError(path, f"has no '{'.'.join(chain)}'")
            node = node[k]
    return data


def savefig(fig, path):
    try:
        fig.savefig(path, dpi=130, bbox_inches="tight")
    except OSError as e:
        raise InputError(path, f"cannot be written ({e.strerror or e})") from None


def save(fig, folder, name):
    for ext in ("png", "svg"):
        savefig(fig, os.path.join(folder, f"{name}.{ext}"))
    plt.close(fig)
    print(f"wrote {os.path.join(folder, name)}.png and .svg")


def group_label(group):
    # "sketched;a=1.5;b=1.5;N=65536" -> "a=1.5, b=1.5, N=65536 (sketched)"
    parts = group.split(";")
    return plain(", ".join(parts[1:]) + f" ({parts[0]})")


def axis_plot(folder, slopes, fits, axis, xlabel, ylabel, name, title):
    series = defaultdict(list)
    for r in slopes:
        if r["axis"] == axis:
            series[r["group"]].append(r)
    if not series:
        return
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (group, rows) in enumerate(sorted(series.items())):
        c = colors[k % len(colors)]
        x = [float(r["x"]) for r in rows]
        y = [float(r["excess_mc"]) for r in rows]
        se = [2 * float(r["excess_se"]) for r in rows]
        ye = [float(r["excess_exact"]) for r in rows]
        ax.errorbar(x, y, yerr=se, fmt="o", ms=4, color=c, capsize=2, label=f"{group_label(group)}: Monte Carlo ±2 SE")
        ax.plot(x, ye, "-", lw=1, color=c, alpha=0.6, label="exact expected risk" if k == 0 else None)
        # The theory's regime (slopes.csv in_regime): points beyond it bend the slope; shaded out.
        outside = [xi for xi, r in zip(x, rows) if r.get("in_regime", "1") == "0"]
        if outside:
            edge = max([xi for xi, r in zip(x, rows) if r.get("in_regime", "1") == "1"] or [min(x)])
            ax.axvspan(edge * 1.02, max(x) * 1.2, color=c, alpha=0.07, lw=0,
                       label="outside the regime window" if k == 0 else None)
        sat = [f for f in fits if f["group"] == group and f["method"] == "saturating" and f["ok"] == "1"]
        if sat:
            f = sat[0]
            s_, lp, yinf = float(f["slope"]), float(f["log_prefactor"]), float(f["y_inf"])
            xs = [min(x) * (max(x) / min(x)) ** (i / 40) for i in range(41)]
            ax.plot(xs, [yinf + math.exp(lp) * v ** s_ for v in xs], "-.", color=c, lw=1.2,
                    label=f"saturating fit R_inf + c x^{s_:.3f}")
        fit = [f for f in fits if f["group"] == group and f["method"] == "loglog_ols" and f["ok"] == "1"]
        if fit:
            f = fit[0]
            lo, hi, s, lp = float(f["x_lo"]), float(f["x_hi"]), float(f["slope"]), float(f["log_prefactor"])
            xs = [lo * (hi / lo) ** (i / 20) for i in range(21)]
            ax.plot(xs, [math.exp(lp) * v ** s for v in xs], "--", color=c, lw=2,
                    label=f"fit: slope {s:.3f} [{float(f['ci_lo']):.3f}, {float(f['ci_hi']):.3f}]")
            th = float(f["theory"])
            anchor_y = math.exp(lp) * lo ** s
            ax.plot(xs, [anchor_y * (v / lo) ** th for v in xs], ":", color="gray", lw=1.5,
                    label=f"theory slope {th:.3f}" if k == 0 else f"theory slope {th:.3f} ")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    save(fig, folder, name)


def decomposition_plot(folder, table, fits):
    groups = sorted({f["group"] for f in fits if f["quantity"].endswith("vs M")})
    if not groups:
        return
    fig, axes = plt.subplots(1, len(groups), figsize=(5.2 * len(groups), 4.2), squeeze=False)
    for ax, group in zip(axes[0], groups):
        parts = dict(p.split("=") for p in group.split(";")[1:])
        grid = group.split(";")[0]
        rows = [r for r in table if r["grid"] == grid and r["is_final"] == "1"
                and math.isclose(float(r["a"]), float(parts["a"])) and r["N_horizon"] == parts.get("N")]
        rows.sort(key=lambda r: int(r["M"]))
        if not rows:
            continue
        m = [int(r["M"]) for r in rows]
        approx = [float(r["approx_exact"]) for r in rows]
        bias = [float(r["bias_exact"]) for r in rows]
        var = [float(r["variance_exact"]) for r in rows]
        # Lines, not stacked areas: on a log axis a stacked band of a small term is invisible.
        for ys, label, color in ((approx, "approximation", "C2"), (bias, "bias", "C0"), (var, "variance", "C3")):
            ax.plot(m, ys, "-", color=color, lw=1.5, label=f"{label} (exact)")
        # Exact-only points (monte_carlo = false) have no Monte Carlo cells (missing or empty in sweep.csv).
        if all(r.get("bias_mc") for r in rows):
            ax.plot(m, [float(r["bias_mc"]) for r in rows], "o", color="C0", ms=3, label="bias (Monte Carlo)")
            ax.plot(m, [float(r["variance_mc"]) for r in rows], "o", color="C3", ms=3, label="variance (Monte Carlo)")
        if all(r.get("risk_mc") for r in rows):
            ax.plot(m, [float(r["risk_mc"]) - float(r["sigma2"]) for r in rows], "ko", ms=3, mfc="none",
                    label="Monte Carlo risk - sigma^2 (sum)")
        # Terms far below the total (a learned bias is ~1e-300) would squash the axis: show four decades.
        top = max(approx + bias + var)
        ax.set_ylim(top * 1e-4, top * 2)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("sketch size M")
        ax.set_ylabel("excess over noise floor")
        ax.set_title(f"risk decomposition at N = {parts.get('N')}, a = {parts['a']}", fontsize=10)
        ax.grid(True, which="both", alpha=0.25)
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    save(fig, folder, "decomposition")


def frontier_plot(folder, frontier, fits):
    groups = sorted({r["group"] for r in frontier})
    if not groups:
        return
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.3))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, group in enumerate(groups):
        c = colors[k % len(colors)]
        for src, mk in (("monte_carlo", "o"), ("exact", "")):
            rows = [r for r in frontier if r["group"] == group and r["source"] == src]
            cs = [float(r["budget"]) for r in rows]
            rs = [float(r["excess_star"]) for r in rows]
            ms = [float(r["m_star"]) for r in rows]
            exact_only = any(f["group"] == group and f["note"].startswith("exact only") for f in fits)
            kind = ("exact, no trials" if exact_only else "Monte Carlo") if mk else "exact"
            lab = f"{group_label(group)} {kind}"
            if mk:  # filled: optimum inside the M grid (used by the fit); hollow: at its edge
                inner = [r["interior"] == "1" for r in rows]
                if rows and rows[0].get("excess_star_lo"):  # bootstrap interval of R* at each budget
                    lo_ = [float(r["excess_star_lo"]) for r in rows]
                    hi_ = [float(r["excess_star_hi"]) for r in rows]
                    a1.errorbar(cs, rs, yerr=[[max(0.0, y - l) for y, l in zip(rs, lo_)],
                                              [max(0.0, h - y) for y, h in zip(rs, hi_)]],
                                fmt="none", ecolor=c, elinewidth=0.8, capsize=2)
                for ax, ys in ((a1, rs), (a2, ms)):
                    ax.plot(cs, ys, "-", color=c, lw=1, label=lab)
                    ax.plot([x for x, i in zip(cs, inner) if i], [y for y, i in zip(ys, inner) if i], "o", color=c, ms=4)
                    ax.plot([x for x, i in zip(cs, inner) if not i], [y for y, i in zip(ys, inner) if not i], "o",
                            mfc="none", color=c, ms=4)
            else:
                a1.plot(cs, rs, "-", color=c, lw=1, alpha=0.5, label=lab)
                a2.plot(cs, ms, "-", color=c, lw=1, alpha=0.5, label=lab)
        for ax, q in ((a1, "R*-sigma2 vs C"), (a2, "M* vs C")):
            f = [x for x in fits if x["group"] == group and x["quantity"] == q]
            if f:
                f = f[0]
                lo, hi = float(f["x_lo"]), float(f["x_hi"])
                xs = [lo * (hi / lo) ** (i / 20) for i in range(21)]
                s, lp, th = float(f["slope"]), float(f["log_prefactor"]), float(f["theory"])
                ax.plot(xs, [math.exp(lp) * v ** s for v in xs], "--", color=c, lw=2,
                        label=f"fit slope {s:.3f} [{float(f['ci_lo']):.3f}, {float(f['ci_hi']):.3f}]")
                y0 = math.exp(lp) * lo ** s
                ax.plot(xs, [y0 * (v / lo) ** th for v in xs], ":", color="gray", lw=1.5, label=f"theory slope {th:.3f}")
    for ax, yl in ((a1, "compute-optimal excess risk R* - sigma^2"), (a2, "compute-optimal sketch size M*")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("compute C = M x N (per-sample cost x samples)")
        ax.set_ylabel(yl)
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)  # below: never over data
    fig.suptitle("compute-optimal frontier (filled: optimum inside the M grid, used by the fit; hollow: at its edge)",
                 fontsize=10)
    save(fig, folder, "frontier")


def run_plots(folder):
    rows = read_csv(os.path.join(folder, "curves.csv"))
    meta = read_json(os.path.join(folder, "config.json"), ["config", "problem"], ["config", "sgd"])
    cfg = meta["config"]
    p, sgd = cfg["problem"], cfg["sgd"]
    n = [float(r["N_eff"]) for r in rows]
    sigma2 = float(rows[0]["sigma2"])
    split = "bias_mc" in rows[0]
    mc = "risk_mc" in rows[0]  # exact-only runs (monte_carlo = false) have no Monte Carlo columns
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    # Excess risk R - sigma^2 (the scaling part; sigma^2 is usually most of R), and R - sigma^2 - Approx.
    if mc:
        ax.errorbar(n, [float(r["risk_mc"]) - sigma2 for r in rows], yerr=[2 * float(r["risk_se"]) for r in rows],
                    fmt="o", ms=3, capsize=2, color="C0", label="R - sigma^2: Monte Carlo ±2 SE")
    if "risk_det_equiv" in rows[0]:
        ax.plot(n, [float(r["risk_det_equiv"]) - sigma2 for r in rows], "--", color="C4", lw=1,
                label="R - sigma^2: deterministic equivalent (sketch average)")
    ax.plot(n, [float(r["risk_exact"]) - sigma2 for r in rows], "-", color="C0", lw=1, label="R - sigma^2: exact")
    bv = [float(r["bias_exact"]) + float(r["variance_exact"]) for r in rows]
    if split:
        ax.plot(n, [float(r["bias_mc"]) + float(r["variance_mc"]) for r in rows], "s", ms=3, color="C1",
                label="R - sigma^2 - Approx: Monte Carlo")
    ax.plot(n, bv, "-", color="C1", lw=1, label="R - sigma^2 - Approx (bias + variance): exact")
    a, b = float(p["a"]), float(p["b"])
    th = (1 - b) / a
    ax.plot([n[0], n[-1]], [bv[0], bv[0] * (n[-1] / n[0]) ** th], ":", color="gray",
            label=f"theory slope (1 - b)/a = {th:.3f}")
    if sgd["schedule"] == "geometric":
        # The halving schedule's phase boundaries: kinks there are the schedule, not scaling.
        phase = int(meta.get("derived", {}).get("schedule_phase_length", 0)) * int(sgd["batch"])
        total = int(sgd["N"])
        if phase > 0 and total // phase <= 40:
            for k in range(1, total // phase + 1):
                x = k * phase / math.log2(k * phase) if k * phase >= 2 else k * phase
                ax.axvline(x, color="gray", lw=0.6, alpha=0.35, label="step halvings (geometric schedule)" if k == 1 else None)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("effective samples N_eff")
    ax.set_ylabel("excess risk")
    size = f"d=inf (head {p.get('head')})" if p["d"] == "inf" and p["sketch"] == "identity" else f"M={p['M']}"
    size += ", d=inf" if p["d"] == "inf" and p["sketch"] != "identity" else ""
    ax.set_title(f"a={p['a']}, b={p['b']}, {size} ({p['sketch']}), sigma^2={sigma2:.3g}, {sgd['schedule']} schedule",
                 fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7, loc="lower left")
    save(fig, folder, "risk_vs_N")
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for key, label, color in (("approx", "approximation", "C2"), ("bias", "bias", "C0"), ("variance", "variance", "C3")):
        ax.plot(n, [float(r[key + "_exact"]) for r in rows], "-", color=color, label=f"{label} (exact)")
        if mc and (split or key == "approx"):
            ax.plot(n, [float(r[key + "_mc"]) for r in rows], "o", ms=3, color=color, label=f"{label} (Monte Carlo)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("effective samples N_eff")
    top = max(float(r[k + "_exact"]) for r in rows for k in ("approx", "bias", "variance"))
    top = top if top > 0 else 1.0
    ax.set_ylim(top * 1e-4, top * 2)  # four decades: terms far below the total would squash the axis
    ax.set_ylabel("term of the excess risk")
    ax.set_title("risk decomposition: R = sigma^2 + approximation + bias + variance", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.25)
    save(fig, folder, "decomposition_vs_N")


def phases_plot(folder):
    """Regime map: per sigma, the term the approximation error balances on the frontier at the largest budget
    (cell colour; text: the largest term there) and the fitted minus theory exponent of R*, over the (a, b) grid,
    with the theory's phase boundaries (include/sgdlaw/sweep/theory.hpp): for sigma = 0, b = a + 1 (the
    approximation error saturates: 4+3's Ia | II) and b = 2a (the bias saturates: II | III); for sigma > 0,
    b = a (bias | variance) and b = a + 1."""
    import numpy as np

    rows = read_csv(os.path.join(folder, "phases.csv"))
    sigmas = sorted({float(r["sigma"]) for r in rows})
    a_vals = sorted({float(r["a"]) for r in rows})
    b_vals = sorted({float(r["b"]) for r in rows})
    fig, axes = plt.subplots(len(sigmas), 2, figsize=(12, 4.6 * len(sigmas)), squeeze=False)
    codes = {"bias": 0.0, "variance": 1.0}
    cmap_terms = matplotlib.colors.ListedColormap(["#4C72B0", "#C44E52"])

    def edges(values):
        # cell edges halfway between grid values, extended by half a step at the ends
        v = list(values)
        mids = [(x + y) / 2 for x, y in zip(v, v[1:])]
        first = v[0] - (mids[0] - v[0]) if mids else v[0] - 0.5
        last = v[-1] + (v[-1] - mids[-1]) if mids else v[-1] + 0.5
        return [first] + mids + [last]

    a_edges, b_edges = edges(a_vals), edges(b_vals)

    def boundaries(ax, sigma):
        line = np.linspace(a_edges[0], a_edges[-1], 50)
        if sigma > 0:
            ax.plot(line, line, "k--", lw=1.3, label="b = a (theory: bias | variance)")
        ax.plot(line, line + 1, "k-.", lw=1.3, label="b = a + 1 (approx saturates" + (": Ia | II)" if sigma == 0 else ")"))
        if sigma == 0:
            ax.plot(line, 2 * line, "k:", lw=1.3, label="b = 2a (bias saturates: II | III)")

    def cells(ax, grid, **kw):
        return ax.pcolormesh(a_edges, b_edges, grid, shading="flat", **kw)

    def axes_labels(ax, title):
        ax.set_xticks(a_vals, [f"{a:g}" for a in a_vals])
        ax.set_yticks(b_vals, [f"{b:g}" for b in b_vals])
        ax.set_xlabel("a (spectrum of H: i^-a)")
        ax.set_ylabel("b (signal: i^-b)")
        ax.set_title(title, fontsize=10)
        ax.set_xlim(a_edges[0], a_edges[-1])
        ax.set_ylim(b_edges[0], b_edges[-1])

    for row, sigma in enumerate(sigmas):
        pts = [r for r in rows if float(r["sigma"]) == sigma]
        ax_d, ax_e = axes[row]
        term = np.full((len(b_vals), len(a_vals)), np.nan)
        diff = np.full((len(b_vals), len(a_vals)), np.nan)
        for r in pts:
            i, j = b_vals.index(float(r["b"])), a_vals.index(float(r["a"]))
            if r["balancing"] in codes:
                term[i, j] = codes[r["balancing"]]
                ax_d.text(a_vals[j], b_vals[i], r["dominant"], ha="center", va="center", fontsize=7, color="white")
            else:
                ax_d.text(a_vals[j], b_vals[i], "no interior\noptimum", ha="center", va="center", fontsize=6)
            if r["r_star_minus_theory"]:
                diff[i, j] = float(r["r_star_minus_theory"])
                ax_e.text(a_vals[j], b_vals[i], f"{diff[i, j]:+.2f}", ha="center", va="center", fontsize=7)
        cells(ax_d, term, cmap=cmap_terms, vmin=-0.5, vmax=1.5)
        lim = max(float(np.nanmax(np.abs(diff))) if np.isfinite(diff).any() else 0.0, 0.05)
        im = cells(ax_e, diff, cmap="RdBu_r", vmin=-lim, vmax=lim)
        fig.colorbar(im, ax=ax_e, label="fitted - theory exponent of R* - sigma^2")
        for ax in (ax_d, ax_e):
            boundaries(ax, sigma)
        for name, color in (("bias", "#4C72B0"), ("variance", "#C44E52")):
            ax_d.scatter([], [], s=60, marker="s", color=color, label=f"measured: approx balances the {name}")
        axes_labels(ax_d, f"sigma = {sigma:g}: frontier at the largest budget (text: largest term)")
        axes_labels(ax_e, f"sigma = {sigma:g}: R* exponent, fitted minus theory (asymptotic)")
        ax_d.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
        ax_e.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
    fig.tight_layout()
    save(fig, folder, "phases")


def overlay_plot(out, folders):
    """Several runs (excess risk vs N_eff) or sweeps (each axis of slopes.csv) in one figure per axis."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError(out, "is a file, not a folder (--out names the folder the overlay figures go into)")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise InputError(out, f"cannot be made ({e.strerror})") from None
    panels = defaultdict(list)  # axis -> [(label, x, y, se)]
    for folder in folders:
        name = os.path.basename(os.path.normpath(folder))
        if os.path.exists(os.path.join(folder, "curves.csv")):
            rows = read_csv(os.path.join(folder, "curves.csv"))
            p = read_json(os.path.join(folder, "config.json"), ["config", "problem"])["config"]["problem"]
            s2 = float(rows[0]["sigma2"])
            if "risk_mc" not in rows[0]:
                raise InputError(os.path.join(folder, "curves.csv"), "has no Monte Carlo columns (an exact-only "
                                 "run: monte_carlo = false) to overlay")
            panels["N_eff"].append((plain(f"{name} (a={p['a']}, M={p.get('M')})"), [float(r["N_eff"]) for r in rows],
                                    [float(r["risk_mc"]) - s2 for r in rows], [2 * float(r["risk_se"]) for r in rows]))
        elif os.path.exists(os.path.join(folder, "slopes.csv")):
            series = defaultdict(list)
            for r in read_csv(os.path.join(folder, "slopes.csv"), need_rows=False):
                series[(r["axis"], r["group"])].append(r)
            for (axis, group), rows in sorted(series.items()):
                panels[axis].append((plain(name) + ": " + group_label(group), [float(r["x"]) for r in rows],
                                     [float(r["excess_mc"]) for r in rows], [2 * float(r["excess_se"]) for r in rows]))
        else:
            raise InputError(folder, "is neither a run (curves.csv) nor a finished sweep (slopes.csv)")
    for axis, series in panels.items():
        fig, ax = plt.subplots(figsize=(6.4, 4.6))
        for label, x, y, se in series:
            ax.errorbar(x, y, yerr=se, fmt="o-", ms=3, lw=1, capsize=2, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("effective samples N_eff" if axis == "N_eff" else "sketch size M")
        ax.set_ylabel("excess risk (Monte Carlo, ±2 SE)")
        ax.set_title(f"{len(series)} series overlaid", fontsize=10)
        ax.grid(True, which="both", alpha=0.25)
        ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        save(fig, out, f"overlay_vs_{axis}")


def fit_plot(data_json, out_png):
    """`sgdlaw fit --plot`: the data with the fitted law, and the relative residuals below."""
    d = read_json(data_json, ["x"], ["y"], ["prediction"], ["label"], ["title"], ["x_name"], ["y_name"])
    x, y, pred = d["x"], d["y"], d["prediction"]
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(6.4, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    a1.plot(x, y, "o", ms=3, alpha=0.6, label="data")
    order = sorted(range(len(x)), key=lambda i: x[i])
    if d.get("markers"):  # a law of several variables: each row's prediction, not a curve in x
        a1.plot(x, pred, "x", ms=4, color="C3", label=plain(d["label"]))
    else:
        a1.plot([x[i] for i in order], [pred[i] for i in order], "-", color="C3", lw=1.5, label=plain(d["label"]))
    a1.set_xscale("log")
    a1.set_yscale("log")
    a1.set_ylabel(plain(d["y_name"]))
    a1.set_title(plain(d["title"]), fontsize=10)
    a1.grid(True, which="both", alpha=0.25)
    a1.legend(fontsize=8)
    a2.axhline(0, color="gray", lw=1)
    a2.plot(x, [(yi - pi) / pi for yi, pi in zip(y, pred)], "o", ms=3, alpha=0.6)
    a2.set_xlabel(plain(d["x_name"]))
    a2.set_ylabel("relative residual")
    a2.grid(True, which="both", alpha=0.25)
    savefig(fig, out_png)
    plt.close(fig)
    print(f"wrote {out_png}")


def sweep_plots(folder):
    if not os.path.exists(os.path.join(folder, "fits.csv")):
        raise InputError(folder, "has no fits.csv yet (is the sweep finished? `sgdlaw sweep` writes it)")
    fits = read_csv(os.path.join(folder, "fits.csv"), need_rows=False)
    slopes = read_csv(os.path.join(folder, "slopes.csv"), need_rows=False)
    axis_plot(folder, slopes, fits, "M", "sketch size M", "excess risk R - sigma^2", "risk_vs_M",
              "risk vs sketch size at the largest N (M law: slope 1 - b)")
    axis_plot(folder, slopes, fits, "N_eff", "effective samples N_eff = N / log2 N",
              "R - sigma^2 - Approx (bias + variance)", "risk_vs_Neff",
              "risk vs effective samples at the largest M (N law: slope (1 - b)/a)")
    decomposition_plot(folder, read_csv(os.path.join(folder, "sweep.csv"), need_rows=False), fits)
    frontier_plot(folder, read_csv(os.path.join(folder, "frontier.csv"), need_rows=False), fits)


def schedules_plot(folder):
    """Which schedule wins (`sgdlaw schedule`): left, each tuned family's step size gamma_t / gamma_limit against
    t / steps at the largest N, with the optimal piecewise-constant schedule as steps; right, the tuned excess risk
    E[R] - sigma^2 - Approx against N per family (every point an exact curve, no Monte Carlo)."""
    rows = read_csv(os.path.join(folder, "schedule_search.csv"))
    shapes = read_csv(os.path.join(folder, "shapes.csv"))
    n_max = max(int(r["N"]) for r in rows)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    colours = {"constant": "#8C8C8C", "geometric": "#937860", "cosine": "#4C72B0", "linear": "#55A868",
               "wsd": "#DD8452", "power_decay": "#8172B3", "optimal": "#C44E52"}
    shown = ["wsd", "cosine", "power_decay", "optimal"]  # the left panel's schedules (at most 6 entries)
    for fam in shown:
        pts = [(float(r["t_over_steps"]), float(r["gamma_over_limit"])) for r in shapes
               if r["family"] == fam and int(r["N"]) == n_max]
        if not pts:
            continue
        tuned = next(r for r in rows if r["family"] == fam and int(r["N"]) == n_max)
        extra = f", {tuned['param_name']} {float(tuned['param']):.3g}" if tuned["param_name"] not in ("", "pieces") else ""
        label = ("optimal, %d pieces" % int(float(tuned["param"]))) if fam == "optimal" else f"{fam} (tuned{extra})"
        left.plot([p[0] for p in pts], [p[1] for p in pts], color=colours[fam], label=label,
                  drawstyle="steps-post" if fam == "optimal" else "default", lw=2 if fam == "optimal" else 1.5)
    left.set_xlabel("t / steps")
    left.set_ylabel("gamma_t / stability limit")
    left.set_title(f"tuned schedules at N = {n_max}")
    left.set_ylim(0, 1.05)
    left.legend(fontsize=8)
    for fam in colours:
        pts = sorted((int(r["N"]), float(r["excess"])) for r in rows if r["family"] == fam)
        if pts:
            right.loglog([p[0] for p in pts], [p[1] for p in pts], "o-" if fam == "optimal" else ".-",
                         color=colours[fam], label=fam, ms=4)
    right.set_xlabel("N (samples)")
    right.set_ylabel("tuned excess risk E[R] - sigma^2 - Approx (exact)")
    right.set_title("tuned excess risk vs N")
    handles, labels = right.get_legend_handles_labels()
    right.legend(handles[:6] if len(handles) <= 6 else handles, labels, fontsize=8, ncol=2)
    save(fig, folder, "schedules")


def num(text):
    """A cell as a number; an empty cell (a value that does not apply or is unbounded) as NaN."""
    return float(text) if text != "" else math.nan


def batch_plot(folder):
    """The critical batch size (`sgdlaw batch`): left, samples E(B) against steps S(B) to each target (exact, with
    the Monte Carlo checks' agreement in the title) and the fitted hyperbola S = S_min + E_min / B; middle, B_crit
    with its bootstrap interval and B_noise at the target against the target excess; right, B_noise along each
    batch size's tuned run against its excess risk (first target)."""
    pts = read_csv(os.path.join(folder, "batch.csv"))
    crit = read_csv(os.path.join(folder, "critical.csv"))
    noise = read_csv(os.path.join(folder, "noise.csv"))
    fig, (left, mid, right) = plt.subplots(1, 3, figsize=(16, 4.6))
    colours = plt.cm.viridis([0.85 * i / max(1, len(crit) - 1) for i in range(len(crit))])
    zs = [abs(num(r["z_target"])) for r in pts if r["z_target"] != ""]
    for k, c in enumerate(crit):
        rows = [r for r in pts if r["target"] == c["target"]]
        s = [num(r["steps_interp"]) for r in rows]
        e = [num(r["samples_interp"]) for r in rows]
        left.loglog(s, e, "o", color=colours[k], ms=4, label=f"target {num(c['target_excess']):.3g}")
        s_min, e_min = num(c["s_min"]), num(c["e_min"])
        if c["status"] == "ok":
            bs = [2 ** (j / 8) for j in range(-8, 8 * 14)]
            left.loglog([s_min + e_min / b for b in bs], [b * s_min + e_min for b in bs], "-", color=colours[k],
                        lw=0.8, alpha=0.7)
            left.plot([2 * s_min], [2 * e_min], "x", color=colours[k], ms=8)
    left.set_xlabel("steps S(B) to the target")
    left.set_ylabel("samples E(B) = B S(B)")
    title = "steps vs samples (x: B = B_crit)"
    if zs:
        title += f"; {len(zs)} MC checks, max |z| {max(zs):.2f}"
    left.set_title(title, fontsize=10)
    left.legend(fontsize=8)
    ok = [c for c in crit if c["status"] == "ok"]
    if ok:
        t = [num(c["target_excess"]) for c in ok]
        b = [num(c["b_crit"]) for c in ok]
        lo = [max(0.0, bc - num(c["b_crit_lo"])) for bc, c in zip(b, ok)]
        hi = [(num(c["b_crit_hi"]) - bc) if c["b_crit_hi"] != "" else 0.0 for bc, c in zip(b, ok)]
        mid.errorbar(t, b, yerr=[lo, hi], fmt="o-", color="#C44E52", capsize=3, label="B_crit (fit, 95% bootstrap)")
    t_all = [num(c["target_excess"]) for c in crit]
    mid.loglog(t_all, [num(c["b_noise"]) for c in crit], "s--", color="#4C72B0", ms=4,
               label="B_noise at the target")
    mid.set_xscale("log")
    mid.set_yscale("log")
    mid.set_xlabel("target excess risk")
    mid.set_ylabel("batch size")
    mid.set_title("critical batch size vs gradient noise scale", fontsize=10)
    mid.legend(fontsize=8)
    first = crit[0]["target"]
    batches = sorted({int(r["batch"]) for r in noise if r["target"] == first})
    shades = plt.cm.plasma([i / max(1, len(batches) - 1) for i in range(len(batches))])
    for shade, b in zip(shades, batches):
        rows = [r for r in noise if r["target"] == first and int(r["batch"]) == b and r["b_noise"] != ""]
        right.loglog([num(r["excess"]) for r in rows], [num(r["b_noise"]) for r in rows], "-", color=shade,
                     label=f"B = {b}")
    right.invert_xaxis()
    right.set_xlabel("excess risk along the run (exact; time runs right)")
    right.set_ylabel("B_noise = tr Cov(g) / |G|^2")
    right.set_title("gradient noise scale along each tuned run", fontsize=10)
    right.legend(fontsize=7, ncol=2)
    save(fig, folder, "batch")


def dispatch(args):
    if len(args) == 3 and args[0] == "--fit":
        fit_plot(args[1], args[2])
        return
    if len(args) >= 3 and args[0] == "--overlay":
        overlay_plot(args[1], args[2:])
        return
    if len(args) != 1:
        sys.exit("usage: plot_results.py <sweep or run folder>")
    folder = args[0]
    if os.path.exists(os.path.join(folder, "phases.csv")):
        phases_plot(folder)
    elif os.path.exists(os.path.join(folder, "schedule_search.csv")):
        schedules_plot(folder)
    elif os.path.exists(os.path.join(folder, "critical.csv")):
        batch_plot(folder)
    elif os.path.exists(os.path.join(folder, "sweep.json")):
        sweep_plots(folder)
    elif os.path.exists(os.path.join(folder, "curves.csv")):
        run_plots(folder)
    else:
        raise InputError(folder, "is neither a sweep folder (sweep.json) nor a run folder (curves.csv)")


def main():
    try:
        dispatch(sys.argv[1:])
    except InputError as e:
        sys.stderr.write(f"plot_results.py: {e}\n")
        sys.exit(EXIT_INPUT)
    except (ValueError, KeyError, IndexError, ZeroDivisionError) as e:
        # A table that parses but holds what sgdlaw never writes (a cell that is not a number, a run of one row).
        sys.stderr.write(f"plot_results.py: {' '.join(sys.argv[1:])}: malformed data ({type(e).__name__}: {e})\n")
        sys.exit(EXIT_INPUT)


if __name__ == "__main__":
    main()
