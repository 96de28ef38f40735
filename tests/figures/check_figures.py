#!/usr/bin/python3
"""Every figure type sgdlaw draws, rendered from small runs, checked through the plot script's own record of its
legends (figures.json), not pixels: at most 6 legend entries per panel and none repeated, no labelled series
outside its axes, no "Monte Carlo" label in a figure drawn from runs without trials, d = inf named as such, and
fitted laws drawn as smooth curves (at least 50 points), not polylines through the data.

usage: check_figures.py SGDLAW_BINARY      (ctest Figures.LegendsAndLabels; exit 77 without matplotlib)"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import matplotlib  # noqa: F401
except ImportError:
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
PLOT = os.path.join(HERE, "..", "..", "scripts", "plot_results.py")


def sh(binary, *args, cwd):
    subprocess.run([binary] + list(args), cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def make_outputs(binary, work):
    """Folder -> whether it ran without trials."""
    sh(binary, "run", "--d", "128", "--M", "16", "--N", "4000", "--trials", "20", "--quiet", "--out", "run_mc",
       cwd=work)
    sh(binary, "run", "--sketch", "identity", "--d", "inf", "--head", "64", "--monte_carlo", "false", "--N", "65536",
       "--quiet", "--out", "run_exact", cwd=work)
    with open(os.path.join(work, "fit.toml"), "w") as f:
        f.write("[fit]\nbootstrap = 20\nm_regime = 2\n")
    sh(binary, "sweep", "fit.toml", "--sweep-out", "sweep_mc", "--d", "256", "--sigma", "0.2", "--gamma", "0.2",
       "--trials", "12", "--grid", "a=1.5,2", "--grid", "M=4,8,16,32", "--grid", "N=1024,4096,16384", "--quiet",
       cwd=work)
    sh(binary, "sweep", "fit.toml", "--sweep-out", "sweep_exact", "--sketch", "identity", "--d", "inf", "--head",
       "64", "--monte_carlo", "false", "--grid", "N=1024,4096,16384,65536,262144", "--quiet", cwd=work)
    with open(os.path.join(work, "b.toml"), "w") as f:
        f.write("[problem]\na = 1.5\nb = 2.5\nd = 32\nM = 32\nsketch = \"identity\"\nsigma = 0.5\n[sgd]\nN = 1024\n"
                "schedule = \"constant\"\n[batch]\nbatches = [1, 2, 4, 8, 16, 32, 64, 128]\ntarget_ratio = [2, 4]\n"
                "trials = 0\nresamples = 50\nout = \"batch\"\n")
    sh(binary, "batch", "b.toml", "--no-plot", "--quiet", cwd=work)
    with open(os.path.join(work, "s.toml"), "w") as f:
        f.write("[problem]\na = 2.0\nb = 2.0\nd = \"inf\"\nhead = 32\nsketch = \"identity\"\nsigma = 0.1\n"
                "[schedules]\nN = [1024, 4096]\npieces = 8\niterations = 20\nout = \"schedules\"\n")
    sh(binary, "schedule", "s.toml", "--no-plot", "--quiet", cwd=work)
    return {"run_mc": False, "run_exact": True, "sweep_mc": False, "sweep_exact": True, "batch": True,
            "schedules": True}


def check(folder, exact_only, problems, expect):
    path = os.path.join(folder, "figures.json")
    if not os.path.exists(path):
        problems.append(f"{folder}: no figures.json")
        return {}
    with open(path) as f:
        record = json.load(f)
    for fig, panels in record.items():
        where = f"{os.path.basename(folder)}/{fig}"
        for k, p in enumerate(panels):
            legend = p["legend"]
            if len(legend) > 6:
                problems.append(f"{where} panel {k}: {len(legend)} legend entries")
            if len(set(legend)) != len(legend):
                problems.append(f"{where} panel {k}: repeated legend entries {legend}")
            if p["outside"]:
                problems.append(f"{where} panel {k}: series outside the axes: {p['outside']}")
            if exact_only and any("Monte Carlo" in t for t in legend):
                problems.append(f"{where} panel {k}: a Monte Carlo label on runs without trials: {legend}")
            for label, n in p["points"].items():
                if label.startswith("fit:") and n < 50:
                    problems.append(f"{where} panel {k}: the fit '{label}' is drawn with {n} points")
    for fig in expect:
        if fig not in record:
            problems.append(f"{os.path.basename(folder)}: figure {fig} was not drawn")
    return record


def main():
    binary = os.path.abspath(sys.argv[1])
    keep = os.environ.get("SGDLAW_KEEP_FIGURES")  # a folder to keep the rendered figures in, for a look
    work = keep or tempfile.mkdtemp(prefix="sgdlaw_figures_")
    os.makedirs(work, exist_ok=True)
    problems = []
    expected = {"run_mc": ["risk_vs_N", "decomposition_vs_N"], "run_exact": ["risk_vs_N", "decomposition_vs_N"],
                "sweep_mc": ["risk_vs_M", "risk_vs_Neff", "decomposition", "frontier"],
                "sweep_exact": ["risk_vs_Neff"], "batch": ["batch"], "schedules": ["schedules"]}
    try:
        for folder, exact_only in make_outputs(binary, work).items():
            subprocess.run(["/usr/bin/python3", PLOT, os.path.join(work, folder)], check=True,
                           stdout=subprocess.DEVNULL)
            record = check(os.path.join(work, folder), exact_only, problems, expected[folder])
            if folder == "run_mc" and not any("Monte Carlo" in t for t in record["risk_vs_N"][0]["legend"]):
                problems.append("run_mc/risk_vs_N: the Monte Carlo series has no label")
            if folder == "sweep_exact":
                titles = " ".join(p["title"] for p in record.get("risk_vs_Neff", []))
                if "M=inf" not in titles or re.search(r"M=\d", titles):
                    problems.append(f"sweep_exact/risk_vs_Neff: d = inf not named as such: {titles!r}")
            if folder == "sweep_mc":
                fits = [t for p in record["risk_vs_M"] for t in p["legend"] if t.startswith("fit:")]
                if not fits:
                    problems.append("sweep_mc/risk_vs_M: no fitted law drawn")
        for p in problems:
            print("check_figures: " + p)
        print(f"check_figures: {len(expected)} folders, {sum(len(v) for v in expected.values())} figures, "
              f"{len(problems)} problems")
        sys.exit(1 if problems else 0)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
