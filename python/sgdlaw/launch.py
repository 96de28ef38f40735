"""Launching sgdlaw from Python: run, exact, sweep, batch and fit call the sgdlaw binary and return what the readers
return (pandas DataFrames and dicts). Keys are Python values (numbers, booleans, strings; float("inf") or "inf" for
d; lists for sweep axes); the binary checks them exactly as on the command line, and its errors come back as
exceptions carrying its message and kind. Progress is streamed to sys.stdout line by line (a notebook shows it
without extra packages). The binary: $SGDLAW_BIN, else `sgdlaw` on PATH, else the source tree's build/sgdlaw."""
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading

from .reader import read_run, read_sweep

_KINDS = {1: "error", 2: "config", 3: "divergence", 4: "backend"}


class SgdlawError(RuntimeError):
    """sgdlaw refused or failed: `kind` is config, divergence, backend or error (the CLI's exit code 2, 3, 4, 1),
    `message` the CLI's own message, `command` what was run."""

    def __init__(self, kind, message, command, exit_code):
        super().__init__(f"[{kind}] {message}")
        self.kind, self.message, self.command, self.exit_code = kind, message, command, exit_code


class ConfigError(SgdlawError):
    """A key with a bad value, an unknown key, a file that cannot be used: the message names the field."""


class DivergenceError(SgdlawError):
    """The step size is beyond the stability limit (the message quotes the limit), or a trial diverged."""


class BackendError(SgdlawError):
    """The backend asked for is not available here (e.g. backend = "cuda" without a GPU)."""


_CLASSES = {"config": ConfigError, "divergence": DivergenceError, "backend": BackendError}


def find_binary():
    """The sgdlaw executable: $SGDLAW_BIN, `sgdlaw` on PATH, or build/sgdlaw of the source tree this package is
    in (or of the working directory)."""
    env = os.environ.get("SGDLAW_BIN")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise FileNotFoundError(f"SGDLAW_BIN = {env!r} is not an executable file")
        return env
    on_path = shutil.which("sgdlaw")
    if on_path:
        return on_path
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "..", "..", "build", "sgdlaw"), os.path.join(os.getcwd(), "build", "sgdlaw")):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.normpath(candidate)
    raise FileNotFoundError("the sgdlaw binary was not found: set SGDLAW_BIN, put sgdlaw on PATH, or build it "
                            "(bash scripts/build.sh) in the source tree")


def value_text(key, value):
    """A key's value as the command line takes it: true/false, inf, shortest round-trip numbers, lists joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value) and value > 0:
            return "inf"
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"key {key!r} = {value!r}: not a finite number")
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ",".join(value_text(key, v) for v in value)
    return str(value)


def _stream(pipe, sink, keep):
    for line in iter(pipe.readline, ""):
        keep.append(line)
        if sink is not None:
            sink.write(line)
            sink.flush()
    pipe.close()


def call(args, progress=True, cwd=None):
    """Runs `sgdlaw ARGS`; streams its output when `progress`; raises SgdlawError (by kind) when it fails."""
    command = [find_binary()] + [str(a) for a in args]
    # UTF-8 with replacement: an undecodable byte (a user's path echoed back) never stops a reader thread, whose
    # pipe would then fill and block the binary.
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                            encoding="utf-8", errors="replace")
    out, err = [], []
    sink = sys.stdout if progress else None
    threads = [threading.Thread(target=_stream, args=(proc.stdout, sink, out)),
               threading.Thread(target=_stream, args=(proc.stderr, sink, err))]
    for t in threads:
        t.start()
    try:
        code = proc.wait()
    except BaseException:  # Ctrl-C in a notebook: stop the binary too, so that it frees its output folder's lock
        proc.terminate()
        proc.wait()
        raise
    finally:
        for t in threads:
            t.join()
    if code != 0:
        # The CLI's own line; CLI11's parse errors end with a pointer to --help, which is not the reason.
        lines = [line.strip() for line in err if line.strip() and not line.startswith("Run with --help")]
        lines = lines or [line.strip() for line in out if line.strip()]
        message = lines[-1] if lines else f"exit code {code}"
        kind = _KINDS.get(code, "error")
        raise _CLASSES.get(kind, SgdlawError)(kind, message, command, code)
    return "".join(out)


def _flags(keys):
    args = []
    for k, v in keys.items():
        if v is None:
            continue
        args += [f"--{k}", value_text(k, v)]
    return args


def _fresh_out(prefix):
    os.makedirs("runs", exist_ok=True)
    return tempfile.mkdtemp(prefix=prefix + "-", dir="runs")


def run(config=None, out=None, progress=True, **keys):
    """`sgdlaw run`: a run from an optional TOML file and keys (run(a=2, b=3, N=2**16, trials=200)); keys
    override the file's. out: the folder (default: a new one under runs/). Returns the Run the reader returns."""
    out = out or _fresh_out("python-run")
    args = ["run"] + ([config] if config else []) + _flags(keys) + ["--out", out]
    if not progress:
        args.append("--quiet")
    call(args, progress)
    return read_run(out)


def exact(config=None, out=None, progress=False, **keys):
    """The exact expected-risk curve alone (monte_carlo = false): run() without trials, no sampling error."""
    keys["monte_carlo"] = False
    return run(config, out=out or _fresh_out("python-exact"), progress=progress, **keys)


def _write_toml(path, sections):
    with open(path, "w", encoding="utf-8") as f:
        for name, table in sections.items():
            if not table:
                continue
            f.write(f"[{name}]\n")
            for k, v in table.items():
                if isinstance(v, str):
                    f.write(f"{k} = {_toml_string(v)}\n")
                elif isinstance(v, (list, tuple)):
                    f.write(f"{k} = [{', '.join(_toml_scalar(k, x) for x in v)}]\n")
                else:
                    f.write(f"{k} = {_toml_scalar(k, v)}\n")


def _toml_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_scalar(key, v):
    if isinstance(v, str):
        return _toml_string(v)
    if isinstance(v, float) and math.isinf(v) and v > 0:
        return '"inf"'
    return value_text(key, v)


def sweep(config=None, grid=None, out=None, fit=None, progress=True, **keys):
    """`sgdlaw sweep`: every point of a grid (sweep(grid={"M": [32, 64, 128], "N": [4096]}, a=2, b=3)), tabulated
    and fitted. config: a sweep file (its [sweep] grids and [fit] settings); grid: axes as lists (one more grid,
    named "cli", as --grid names it); fit: [fit] keys when no file is given; keys: run keys for every point.
    Returns the Sweep."""
    out = out or _fresh_out("python-sweep")
    work = None
    if config is None:
        work = tempfile.mkdtemp(prefix="sgdlaw-sweep-")
        config = os.path.join(work, "python.toml")
        _write_toml(config, {"fit": dict(fit or {})})
    elif fit:
        raise ValueError("fit = {...} is for sweeps without a file; put the [fit] keys in the sweep file")
    args = ["sweep", config, "--sweep-out", out] + _flags(keys)
    for axis, values in (grid or {}).items():
        args += ["--grid", f"{axis}={value_text(axis, list(values))}"]
    try:
        call(args, progress)
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)
    return read_sweep(out)


def batch(config, out=None, progress=True):
    """`sgdlaw batch FILE`: steps and samples to each target over its batch grid, the critical batch size and
    B_noise. Returns a dict of DataFrames: points (batch.csv), critical (critical.csv), noise (noise.csv)."""
    import pandas as pd

    out = out or _fresh_out("python-batch")
    call(["batch", config, "--out", out, "--no-plot"], progress)
    return {name: pd.read_csv(os.path.join(out, f"{file}.csv"))
            for name, file in (("points", "batch"), ("critical", "critical"), ("noise", "noise"))}


def fit(data, model="power", x=None, y=None, bootstrap=None, seed=None, **options):
    """`sgdlaw fit`: a power law y = A x^-alpha + B (model="power") or Chinchilla's L = E + A/N^alpha + B/D^beta
    (model="chinchilla") with bootstrap intervals. data: a CSV path or a pandas DataFrame. Returns the fit's JSON
    as a dict."""
    import json

    work = tempfile.mkdtemp(prefix="sgdlaw-fit-")
    try:
        if not isinstance(data, (str, os.PathLike)):  # a DataFrame: its index is data too if it is named
            path = os.path.join(work, "data.csv")
            data.to_csv(path, index=any(name is not None for name in data.index.names))
            data = path
        args = ["fit", os.fspath(data), "--model", model, "--out", os.path.join(work, "fit.json")]
        for k, v in (("x", x), ("y", y), ("bootstrap", bootstrap), ("seed", seed)):
            if v is not None:
                args += [f"--{k}", value_text(k, v)]
        for k, v in options.items():
            args += [f"--{k}", value_text(k, v)]
        call(args, progress=False)
        with open(os.path.join(work, "fit.json"), encoding="utf-8") as f:
            return json.load(f)
    finally:
        shutil.rmtree(work, ignore_errors=True)
