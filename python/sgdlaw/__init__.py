"""Read sgdlaw's outputs into pandas.

    import sgdlaw
    run = sgdlaw.read_run("runs/quick")          # run.curves, run.trials, run.config
    sw = sgdlaw.read_sweep("runs/lin2024-small")  # sw.table, sw.fits, sw.slopes, sw.frontier, sw.points, sw.config

Pure Python; needs pandas. The tool itself does not need this package.
"""
from .reader import Run, Sweep, read_run, read_sweep

__all__ = ["Run", "Sweep", "read_run", "read_sweep"]
__version__ = "0.1.0"
