"""What the independent comparisons share: running `sgdlaw run` on a TOML text and reading back what it wrote."""
import csv
import json
import os
import subprocess


def toml_value(v):
    return json.dumps(v) if isinstance(v, str) else repr(v)


def run_toml(binary, lines, work):
    """Writes lines to work/c.toml (its [run] section must set out = "out"), runs it, returns (curves.csv rows,
    config.json)."""
    with open(os.path.join(work, "c.toml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run([binary, "run", "c.toml"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "out", "curves.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(work, "out", "config.json")) as f:
        recorded = json.load(f)
    return rows, recorded
