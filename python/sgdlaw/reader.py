"""Readers for a run folder (curves.csv, trials.csv, config.json) and a sweep folder (sweep.csv, sweep.json,
fits.csv, slopes.csv, frontier.csv, points/*/)."""
import json
import os
from dataclasses import dataclass, field
from typing import Optional

import pandas as pd


def _csv(folder: str, name: str) -> Optional[pd.DataFrame]:
    path = os.path.join(folder, name)
    return pd.read_csv(path) if os.path.exists(path) else None


def _json(folder: str, name: str) -> dict:
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        return json.load(f)


def _require(folder: str, name: str, what: str) -> None:
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{folder!r} is not a folder (expected the output folder of {what})")
    if not os.path.exists(os.path.join(folder, name)):
        raise FileNotFoundError(f"{folder!r} has no {name}: not the output folder of {what}, or not finished")


@dataclass
class Run:
    """One run: curves (a row per checkpoint: N, N_eff, risk_mc, risk_se, risk_exact, decomposition...),
    trials (a row per trial and checkpoint, when the run wrote trials.csv), config (the resolved configuration
    by section, as config.json records it) and meta (everything else config.json holds)."""

    folder: str
    curves: pd.DataFrame
    trials: Optional[pd.DataFrame]
    config: dict
    meta: dict = field(default_factory=dict)

    @property
    def excess(self) -> pd.Series:
        """Excess risk R - sigma^2 per checkpoint: the Monte Carlo mean, or for an exact-only run
        (monte_carlo = false, no risk_mc column) the exact expected risk."""
        column = "risk_mc" if "risk_mc" in self.curves else "risk_exact"
        return self.curves[column] - self.curves["sigma2"]


@dataclass
class Sweep:
    """One sweep: table (sweep.csv: a row per point and checkpoint, with the point's parameters), points
    (sweep.json's list: name, grid, axes, state, folder), fits, slopes, frontier (None until the sweep has them),
    config (sweep.json without the points)."""

    folder: str
    table: pd.DataFrame
    points: pd.DataFrame
    fits: Optional[pd.DataFrame]
    slopes: Optional[pd.DataFrame]
    frontier: Optional[pd.DataFrame]
    config: dict

    @property
    def final(self) -> pd.DataFrame:
        """The rows of each point's own horizon (is_final == 1)."""
        return self.table[self.table["is_final"] == 1]

    def run(self, point: str) -> Run:
        """The run of one point (its folder under points/)."""
        return read_run(os.path.join(self.folder, "points", point))


def read_run(folder: str) -> Run:
    _require(folder, "curves.csv", "`sgdlaw run`")
    meta = _json(folder, "config.json")
    config = meta.pop("config", {})
    return Run(folder=folder, curves=_csv(folder, "curves.csv"), trials=_csv(folder, "trials.csv"), config=config,
               meta=meta)


def read_sweep(folder: str) -> Sweep:
    _require(folder, "sweep.json", "`sgdlaw sweep`")
    info = _json(folder, "sweep.json")
    points = info.pop("points", [])
    rows = []
    for p in points:
        row = {k: v for k, v in p.items() if k != "axes"}
        row.update(p.get("axes", {}))
        rows.append(row)
    table = _csv(folder, "sweep.csv")
    return Sweep(folder=folder, table=table if table is not None else pd.DataFrame(), points=pd.DataFrame(rows),
                 fits=_csv(folder, "fits.csv"), slopes=_csv(folder, "slopes.csv"),
                 frontier=_csv(folder, "frontier.csv"), config=info)
