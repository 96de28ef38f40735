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


# One style for every figure: sizes, fonts, and a colour per quantity.
plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 7,
                     "xtick.labelsize": 8, "ytick.labelsize": 8, "lines.linewidth": 1.5, "lines.markersize": 4,
                     "axes.grid": True, "grid.alpha": 0.25})
QUANTITY_COLOURS = {"approx": "C2", "bias": "C0", "variance": "C3", "excess": "C1", "risk": "C0", "theory": "gray"}
MAX_LEGEND = 6


def legend(ax, **kw):
    """The panel's legend: each label once, at most MAX_LEGEND entries (a longer list keeps the first ones and
    says how many more there are)."""
    handles, labels = ax.get_legend_handles_labels()
    seen, hs, ls = set(), [], []
    for h, lab in zip(handles, labels):
        if lab in seen or lab.startswith("_"):
            continue
        seen.add(lab)
        hs.append(h)
        ls.append(lab)
    if len(ls) > MAX_LEGEND:
        more = len(ls) - (MAX_LEGEND - 1)
        hs, ls = hs[:MAX_LEGEND - 1], ls[:MAX_LEGEND - 1]
        hs.append(matplotlib.lines.Line2D([], [], color="none"))
        ls.append(f"... and {more} more")
    if ls:
        from matplotlib.legend_handler import HandlerTuple
        ax.legend(hs, ls, handler_map={tuple: HandlerTuple(ndivide=None)}, **kw)


def panel_record(ax):
    """What a panel shows, for figures.json: its title, legend entries, the labelled lines' point counts, and the
    labelled series with no point inside the axes (there must be none)."""
    leg = ax.get_legend()
    labels = [t.get_text() for t in leg.get_texts()] if leg else []
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    points, outside = {}, []
    series = [(line.get_label(), line) for line in ax.get_lines()]
    # An errorbar's data line is unlabelled; its container holds the label.
    series += [(c.get_label(), c.lines[0]) for c in ax.containers if hasattr(c, "lines") and c.lines and c.lines[0]]
    for lab, line in series:
        lab = lab or "_"
        xs, ys = line.get_xdata(), line.get_ydata()
        if lab.startswith("_") or len(xs) == 0:
            continue
        points[lab] = len(xs)
        inside = [x0 <= float(x) <= x1 and y0 <= float(y) <= y1 for x, y in zip(xs, ys)]
        if not any(inside):
            outside.append(lab)
    return {"title": ax.get_title(), "legend": labels, "points": points, "outside": outside}


def save(fig, folder, name):
    """Writes name.png and name.svg, and records each panel's legend in folder/figures.json (what the tests read
    instead of pixels)."""
    for ext in ("png", "svg"):
        savefig(fig, os.path.join(folder, f"{name}.{ext}"))
    record_path = os.path.join(folder, "figures.json")
    try:
        with open(record_path, encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        record = {}
    record[name] = [panel_record(ax) for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_visible()]
    with open(record_path, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1)
    plt.close(fig)
    print(f"wrote {os.path.join(folder, name)}.png and .svg")


def group_label(group):
    # "sketched;a=1.5;b=1.5;N=65536" -> "a=1.5, b=1.5, N=65536 (grid sketched)"; M=inf stays as written
    parts = group.split(";")
    return plain(", ".join(parts[1:]) + f" (grid {parts[0]})")


def exact_only_groups(slopes):
    """Groups without Monte Carlo trials: every point's standard error is 0 or missing (monte_carlo = false)."""
    by = defaultdict(list)
    for r in slopes:
        by[r["group"]].append(r["excess_se"] in ("", "0"))
    return {g for g, flags in by.items() if all(flags)}


def fit_curve(ax, f, colour, exact_only, compact=False):
    """A fitted power law y = e^lp x^s drawn as a smooth curve over its own window, with the 95% bootstrap band
    of its slope (pivoting at the window's geometric centre), and the theory's slope through the same centre."""
    lo, hi, s, lp = float(f["x_lo"]), float(f["x_hi"]), float(f["slope"]), float(f["log_prefactor"])
    if not hi > lo:
        return
    xs = [lo * (hi / lo) ** (i / 79) for i in range(80)]
    xc = math.sqrt(lo * hi)
    yc = math.exp(lp) * xc ** s
    if exact_only:
        label = f"fit: slope {s:.3f} (exact, no interval)"
    else:
        label = f"fit: slope {s:.3f} [{float(f['ci_lo']):.3f}, {float(f['ci_hi']):.3f}]"
        band = [(yc * (x / xc) ** float(f["ci_lo"]), yc * (x / xc) ** float(f["ci_hi"])) for x in xs]
        ax.fill_between(xs, [min(b) for b in band], [max(b) for b in band], color=colour, alpha=0.18, lw=0)
    th = float(f["theory"])
    if compact:  # several groups in one panel: the theory's slope in the fit's entry
        label += f"; theory {th:.3f}"
    ax.plot(xs, [math.exp(lp) * x ** s for x in xs], "--", color=colour, lw=2, label=label)
    ax.plot(xs, [yc * (x / xc) ** th for x in xs], ":", color=QUANTITY_COLOURS["theory"], lw=1.5,
            label="_theory" if compact else f"theory slope {th:.3f}")


def axis_plot(folder, slopes, fits, axis, xlabel, ylabel, name, title):
    """One scaling axis of a sweep, a panel per group: the points (Monte Carlo with 2-SE bars, or the exact value
    where the group ran without trials), the exact curve, the log-log fit over its own window with its bootstrap
    band, the theory's slope, and the part of the axis outside that window shaded (the same window the fit used)."""
    series = defaultdict(list)
    for r in slopes:
        if r["axis"] == axis:
            series[r["group"]].append(r)
    if not series:
        return
    exact_only = exact_only_groups(slopes)
    groups = sorted(series)
    cols = min(3, len(groups))
    nrows = (len(groups) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=(5.0 * cols, 4.0 * nrows), squeeze=False)
    for k, group in enumerate(groups):
        ax = axes[k // cols][k % cols]
        rows = series[group]
        c = QUANTITY_COLOURS["excess"]
        x = [float(r["x"]) for r in rows]
        ye = [float(r["excess_exact"]) for r in rows]
        if group in exact_only:
            ax.plot(x, ye, "o-", color=c, lw=1, label="exact expected risk (no trials)")
        else:
            ax.errorbar(x, [float(r["excess_mc"]) for r in rows], yerr=[2 * float(r["excess_se"]) for r in rows],
                        fmt="o", color=c, capsize=2, label="Monte Carlo ±2 SE")
            ax.plot(x, ye, "-", lw=1, color="k", alpha=0.6, label="exact expected risk")
        ols = [f for f in fits if f["group"] == group and f["method"] == "loglog_ols"]
        note = ""
        if ols and ols[0]["ok"] == "1":
            f = ols[0]
            fit_curve(ax, f, "C0", group in exact_only)
            lo, hi = float(f["x_lo"]), float(f["x_hi"])
            if min(x) < lo:
                ax.axvspan(min(x) / 1.2, lo / 1.02, color="gray", alpha=0.1, lw=0, label="outside the fit's window")
            if max(x) > hi:
                ax.axvspan(hi * 1.02, max(x) * 1.2, color="gray", alpha=0.1, lw=0, label="outside the fit's window")
        elif ols:
            note = "\nfit failed: " + ols[0]["note"][:70]
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(group_label(group) + note, fontsize=9)
        legend(ax, loc="best")
    for k in range(len(groups), nrows * cols):
        axes[k // cols][k % cols].set_visible(False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    save(fig, folder, name)


def terms_panel(ax, x, terms, mc_terms, total_mc):
    """The exact approximation / bias / variance lines (and Monte Carlo points) over four decades below the
    largest; a term entirely below that range is not drawn, and the panel says so (never a legend entry for a
    line outside the axes)."""
    top = max(max(v) for v in terms.values())
    top = top if top > 0 else 1.0
    floor = top * 1e-4
    hidden = []
    for key in ("approx", "bias", "variance"):
        ys = terms[key]
        if max(ys) < floor:
            hidden.append(key)
            continue
        name = "approximation" if key == "approx" else key
        ax.plot(x, ys, "-", color=QUANTITY_COLOURS[key], label=f"{name} (exact)")
        if key in mc_terms and max(mc_terms[key]) >= floor:
            ax.plot(x, mc_terms[key], "o", color=QUANTITY_COLOURS[key], ms=3, label=f"{name} (Monte Carlo)")
        elif key in mc_terms:
            hidden.append(f"{name} (Monte Carlo)")
    if total_mc:
        ax.plot(x, total_mc, "ko", ms=3, mfc="none", label="R - sigma^2 (Monte Carlo)")
    ax.set_ylim(floor, top * 2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return ("; below 1e-4 of the largest term, not drawn: " + ", ".join(hidden)) if hidden else ""


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
        rows.sort(key=lambda r: float(r["M"]))
        if not rows:
            continue
        m = [float(r["M"]) for r in rows]
        terms = {k: [float(r[k + "_exact"]) for r in rows] for k in ("approx", "bias", "variance")}
        # Exact-only points (monte_carlo = false) have no Monte Carlo cells (missing or empty in sweep.csv).
        mc_terms = {k: [float(r[k + "_mc"]) for r in rows] for k in ("bias", "variance")
                    if all(r.get(k + "_mc") for r in rows)}
        total = [float(r["risk_mc"]) - float(r["sigma2"]) for r in rows] if all(r.get("risk_mc") for r in rows) else []
        hidden = terms_panel(ax, m, terms, mc_terms, total)
        ax.set_xlabel("sketch size M")
        ax.set_ylabel("term of the excess risk")
        ax.set_title(f"decomposition at N = {parts.get('N')}, a = {parts['a']}, b = {parts.get('b')}{hidden}",
                     fontsize=9)
        legend(ax, loc="best")
    fig.tight_layout()
    save(fig, folder, "decomposition")


def frontier_plot(folder, frontier, fits):
    """The compute-optimal frontier: R* - sigma^2 and M* against C, per group a colour; filled points are
    optima inside the M grid (the ones the fit uses), hollow ones at its edge; the fit over its window with its
    bootstrap band and the theory's slope. Exact-only groups are drawn and labelled as exact."""
    groups = sorted({r["group"] for r in frontier})
    if not groups:
        return
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.3))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, group in enumerate(groups):
        c = colors[k % len(colors)]
        exact_only = any(f["group"] == group and f["note"].startswith("exact only") for f in fits)
        rows = [r for r in frontier if r["group"] == group and r["source"] == "monte_carlo"]
        ex_rows = [r for r in frontier if r["group"] == group and r["source"] == "exact"]
        cs = [float(r["budget"]) for r in rows]
        inner = [r["interior"] == "1" for r in rows]
        kind = "exact (no trials)" if exact_only else "Monte Carlo"
        for ax, key in ((a1, "excess_star"), (a2, "m_star")):
            ys = [float(r[key]) for r in rows]
            if key == "excess_star" and not exact_only and rows and rows[0].get("excess_star_lo"):
                lo_ = [float(r["excess_star_lo"]) for r in rows]
                hi_ = [float(r["excess_star_hi"]) for r in rows]
                ax.errorbar(cs, ys, yerr=[[max(0.0, y - l) for y, l in zip(ys, lo_)],
                                          [max(0.0, h - y) for y, h in zip(ys, hi_)]],
                            fmt="none", ecolor=c, elinewidth=0.8, capsize=2)
            ax.plot(cs, ys, "-", color=c, lw=1)
            ax.plot([x for x, i in zip(cs, inner) if i], [y for y, i in zip(ys, inner) if i], "o", color=c,
                    label=f"{group_label(group)}: {kind}")
            ax.plot([x for x, i in zip(cs, inner) if not i], [y for y, i in zip(ys, inner) if not i], "o",
                    mfc="none", color=c)
            if ex_rows and not exact_only:
                ax.plot([float(r["budget"]) for r in ex_rows], [float(r[key]) for r in ex_rows], "-", color="k",
                        lw=1, alpha=0.5, label="exact frontier")
        for ax, q in ((a1, "R*-sigma2 vs C"), (a2, "M* vs C")):
            f = [x for x in fits if x["group"] == group and x["quantity"] == q and x["ok"] == "1"]
            if f:
                fit_curve(ax, f[0], c, exact_only, compact=len(groups) > 1)
    for ax, yl in ((a1, "compute-optimal excess risk R* - sigma^2"), (a2, "compute-optimal sketch size M*")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("compute C = M x N")
        ax.set_ylabel(yl)
        legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1)  # below: never over data
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
    # Excess risk R - sigma^2 (the scaling part; sigma^2 is usually most of R), and R - sigma^2 - Approx: each a
    # Monte Carlo series and its exact curve under one legend entry.
    ex = ax.plot(n, [float(r["risk_exact"]) - sigma2 for r in rows], "-", color=QUANTITY_COLOURS["risk"], lw=1)[0]
    if mc:
        mc_h = ax.errorbar(n, [float(r["risk_mc"]) - sigma2 for r in rows],
                           yerr=[2 * float(r["risk_se"]) for r in rows], fmt="o", ms=3, capsize=2,
                           color=QUANTITY_COLOURS["risk"], label="R - sigma^2: Monte Carlo")
        handles, labels = [(mc_h, ex)], ["R - sigma^2: Monte Carlo ±2 SE, exact (line)"]
    else:
        handles, labels = [ex], ["R - sigma^2: exact (no trials)"]
    bv = [float(r["bias_exact"]) + float(r["variance_exact"]) for r in rows]
    ex2 = ax.plot(n, bv, "-", color=QUANTITY_COLOURS["excess"], lw=1)[0]
    if split:
        mc2 = ax.plot(n, [float(r["bias_mc"]) + float(r["variance_mc"]) for r in rows], "s", ms=3,
                      color=QUANTITY_COLOURS["excess"])[0]
        handles.append((mc2, ex2))
        labels.append("R - sigma^2 - Approx: Monte Carlo, exact (line)")
    else:
        handles.append(ex2)
        labels.append("R - sigma^2 - Approx (bias + variance): exact")
    if "risk_det_equiv" in rows[0]:
        handles += ax.plot(n, [float(r["risk_det_equiv"]) - sigma2 for r in rows], "--", color="C4", lw=1)
        labels.append("R - sigma^2: deterministic equivalent")
    a, b = float(p["a"]), float(p["b"])
    th = -min(b - 1, 2 * a - 1) / a  # the bias law with its saturation (sweep/theory.hpp)
    handles += ax.plot([n[0], n[-1]], [bv[0], bv[0] * (n[-1] / n[0]) ** th], ":", color=QUANTITY_COLOURS["theory"])
    labels.append(f"bias law slope -min(b-1, 2a-1)/a = {th:.3f}")
    if sgd["schedule"] == "geometric":
        # The halving schedule's phase boundaries: kinks there are the schedule, not scaling.
        phase = int(meta.get("derived", {}).get("schedule_phase_length", 0)) * int(sgd["batch"])
        total = int(sgd["N"])
        if phase > 0 and 1 <= total // phase <= 40:
            for k in range(1, total // phase + 1):
                x = k * phase / math.log2(k * phase) if k * phase >= 2 else k * phase
                line = ax.axvline(x, color="gray", lw=0.6, alpha=0.35)
            handles.append(line)
            labels.append("step halvings (geometric schedule)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("effective samples N_eff")
    ax.set_ylabel("excess risk")
    size = f"d=inf (identity; head {p.get('head')})" if p["d"] == "inf" and p["sketch"] == "identity" else f"M={p['M']}"
    size += ", d=inf" if p["d"] == "inf" and p["sketch"] != "identity" else ""
    ax.set_title(f"a={p['a']}, b={p['b']}, {size} ({p['sketch']}), sigma^2={sigma2:.3g}, {sgd['schedule']} schedule",
                 fontsize=9)
    from matplotlib.legend_handler import HandlerTuple
    ax.legend(handles, labels, handler_map={tuple: HandlerTuple(ndivide=None)}, loc="lower left")
    save(fig, folder, "risk_vs_N")
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    terms = {k: [float(r[k + "_exact"]) for r in rows] for k in ("approx", "bias", "variance")}
    mc_terms = {k: [float(r[k + "_mc"]) for r in rows] for k in ("approx", "bias", "variance")
                if mc and (split or k == "approx")}
    hidden = terms_panel(ax, n, terms, mc_terms, [])
    ax.set_xlabel("effective samples N_eff")
    ax.set_ylabel("term of the excess risk")
    ax.set_title("R = sigma^2 + approximation + bias + variance" + hidden, fontsize=9)
    legend(ax, loc="best")
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
        ax.grid(False)  # a heatmap has no grid lines (the style's default grid is for curves)
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
            if r.get("asymptotic") == "yes":  # the theory module's call (include/sgdlaw/sweep/theory.hpp)
                ax_e.add_patch(matplotlib.patches.Rectangle((a_edges[j], b_edges[i]), a_edges[j + 1] - a_edges[j],
                                                            b_edges[i + 1] - b_edges[i], fill=False, lw=2,
                                                            ec="k", zorder=5))
        cells(ax_d, term, cmap=cmap_terms, vmin=-0.5, vmax=1.5)
        lim = max(float(np.nanmax(np.abs(diff))) if np.isfinite(diff).any() else 0.0, 0.05)
        im = cells(ax_e, diff, cmap="RdBu_r", vmin=-lim, vmax=lim)
        fig.colorbar(im, ax=ax_e, label="fitted - theory exponent of R* - sigma^2")
        for ax in (ax_d, ax_e):
            boundaries(ax, sigma)
        ax_e.add_patch(matplotlib.patches.Rectangle((0, 0), 0, 0, fill=False, lw=2, ec="k",
                                                    label="outlined: the theory calls it asymptotic here"))
        for name, color in (("bias", "#4C72B0"), ("variance", "#C44E52")):
            ax_d.scatter([], [], s=60, marker="s", color=color, label=f"measured: approx balances the {name}")
        axes_labels(ax_d, f"sigma = {sigma:g}: frontier at the largest budget (text: largest term)")
        axes_labels(ax_e, f"sigma = {sigma:g}: R* exponent, fitted minus theory (asymptotic)")
        legend(ax_d, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
        legend(ax_e, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
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
        legend(ax, fontsize=6.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
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
              "risk vs sketch size at the largest N (M law; theory from include/sgdlaw/sweep/theory.hpp)")
    axis_plot(folder, slopes, fits, "N_eff", "effective samples N_eff = N / log2 N",
              "R - sigma^2 - Approx (bias + variance)", "risk_vs_Neff",
              "risk vs effective samples at the largest M (N law; theory from include/sgdlaw/sweep/theory.hpp)")
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
    legend(left)
    for fam in colours:
        pts = sorted((int(r["N"]), float(r["excess"])) for r in rows if r["family"] == fam)
        if pts:
            right.loglog([p[0] for p in pts], [p[1] for p in pts], "o-" if fam == "optimal" else ".-",
                         color=colours[fam], label=fam, ms=4)
    right.set_xlabel("N (samples)")
    right.set_ylabel("tuned excess risk E[R] - sigma^2 - Approx (exact)")
    right.set_title("tuned excess risk vs N")
    legend(right, ncol=2)
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
    zcol = "z_exact" if "z_exact" in pts[0] else "z_target"  # Monte Carlo against the exact risk at (B, S(B))
    zs = [abs(num(r[zcol])) for r in pts if r[zcol] != ""]
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
        title += f"; {len(zs)} MC checks vs exact, max |z| {max(zs):.2f}"
    left.set_title(title, fontsize=10)
    legend(left)
    ok = [c for c in crit if c["status"] == "ok"]
    if ok:
        t = [num(c["target_excess"]) for c in ok]
        b = [num(c["b_crit"]) for c in ok]
        lo = [max(0.0, bc - num(c["b_crit_lo"])) if c["b_crit_lo"] != "" else 0.0 for bc, c in zip(b, ok)]
        # A percentile bound may sit on either side of the estimate; an empty upper bound is unbounded (an arrow).
        hi = [max(0.0, num(c["b_crit_hi"]) - bc) if c["b_crit_hi"] != "" else 0.0 for bc, c in zip(b, ok)]
        mid.errorbar(t, b, yerr=[lo, hi], fmt="o-", color="#C44E52", capsize=3, label="B_crit (fit, 95% bootstrap)")
        open_top = [(x, y) for x, y, c in zip(t, b, ok) if c["b_crit_hi"] == ""]
        if open_top:
            mid.errorbar([p[0] for p in open_top], [p[1] for p in open_top], yerr=[[0.0] * len(open_top),
                         [p[1] for p in open_top]], fmt="none", uplims=True, color="#C44E52",
                         label="B_crit interval unbounded above")
    t_all = [num(c["target_excess"]) for c in crit]
    mid.loglog(t_all, [num(c["b_noise"]) for c in crit], "s--", color="#4C72B0", ms=4,
               label="B_noise at the target")
    mid.set_xscale("log")
    mid.set_yscale("log")
    mid.set_xlabel("target excess risk")
    mid.set_ylabel("batch size")
    mid.set_title("critical batch size vs gradient noise scale", fontsize=10)
    legend(mid)
    first = crit[0]["target"]
    batches = sorted({int(r["batch"]) for r in noise if r["target"] == first})
    if len(batches) > MAX_LEGEND:  # at most six runs, evenly spread over the grid (first and last included)
        batches = [batches[round(i * (len(batches) - 1) / (MAX_LEGEND - 1))] for i in range(MAX_LEGEND)]
    shades = plt.cm.plasma([i / max(1, len(batches) - 1) for i in range(len(batches))])
    for shade, b in zip(shades, batches):
        rows = [r for r in noise if r["target"] == first and int(r["batch"]) == b and r["b_noise"] != ""]
        right.loglog([num(r["excess"]) for r in rows], [num(r["b_noise"]) for r in rows], "-", color=shade,
                     label=f"B = {b}")
    right.invert_xaxis()
    right.set_xlabel("excess risk along the run (exact; time runs right)")
    right.set_ylabel("B_noise = tr Cov(g) / |G|^2")
    right.set_title("gradient noise scale along each tuned run", fontsize=10)
    legend(right, ncol=2)
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
