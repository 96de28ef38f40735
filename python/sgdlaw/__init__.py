"""sgdlaw from Python: launch runs and read their outputs into pandas.

    import sgdlaw
    run = sgdlaw.run(a=2, b=3, N=2**16, trials=200)        # run.curves, run.trials, run.config
    ex = sgdlaw.exact(sketch="identity", d="inf", N=2**30)  # the exact curve alone, at d = inf
    sw = sgdlaw.sweep(grid={"M": [32, 64, 128], "N": [2**14, 2**16]}, a=2, b=3)  # sw.table, sw.fits, ...
    fit = sgdlaw.fit(df, x="N", y="loss")                  # a power law with bootstrap intervals, as a dict
    sgdlaw.read_run("runs/quick"); sgdlaw.read_sweep("runs/lin2024-small")  # folders the CLI wrote

Pure Python; needs pandas. The binary: $SGDLAW_BIN, `sgdlaw` on PATH, or the source tree's build/sgdlaw. Errors
are ConfigError, DivergenceError, BackendError (all SgdlawError) with the CLI's message. The tool itself does not
need this package.
"""
from .launch import (BackendError, ConfigError, DivergenceError, SgdlawError, batch, exact, find_binary, fit, run,
                     sweep)
from .reader import Run, Sweep, read_run, read_sweep

__all__ = ["Run", "Sweep", "read_run", "read_sweep", "run", "exact", "sweep", "batch", "fit", "find_binary",
           "SgdlawError", "ConfigError", "DivergenceError", "BackendError"]
__version__ = "0.1.0"
