#!/usr/bin/python3
"""Independent reference: exact expected risk of mini-batch SGD on a diagonal
power-law linear-regression model under a step-size schedule.

Written from the model definition only (not from the simulator's sources).

DERIVATION
----------
Model: H = diag(lam), lam_i = i^-a; w*_i ~ N(0, i^(a-b)); x ~ N(0, H);
y = <x, w*> + eps, eps ~ N(0, sigma^2).  Let e_t = v_t - w*, so e_0 = -w* and
x^T v_t - y = x^T e_t - eps.  With M_t = (1/B) sum_k x_k x_k^T and
n_t = (1/B) sum_k x_k eps_k the update is

    e_{t+1} = (I - g_t M_t) e_t + g_t n_t.

Fresh samples are independent of e_t, and E[n_t | x] = 0, so the cross term
vanishes.  Let P_t = E[e_t e_t^T].
  * E[M] = H.
  * E[M A M] = (1/B^2) sum_{k,l} E[x_k x_k^T A x_l x_l^T]
             = (1/B^2) [ B (2 H A H + tr(A H) H) + B(B-1) H A H ]     (Isserlis)
             = H A H + (1/B) (H A H + tr(A H) H).
  * E[n n^T] = (1/B^2) * B * sigma^2 H = sigma^2 H / B.
Hence
    P_{t+1} = (I - g H) P (I - g H) + (g^2/B) (H P H + tr(P H) H) + g^2 sigma^2 H / B.
H diagonal and P_0 = diag(E[w*_i^2]) = diag(i^(a-b)) => P_t stays diagonal; with
p = diag(P):
    p_i <- (1 - g lam_i)^2 p_i + (g^2/B) (lam_i^2 p_i + lam_i * sum_j lam_j p_j)
           + g^2 sigma^2 lam_i / B.
Risk: E[R(v_t)] = sigma^2 + E[e_t^T H e_t] = sigma^2 + sum_i lam_i p_i.
Bias = same recursion with sigma = 0 (from p_0); variance = risk - sigma^2 - bias
(by linearity, equal to the recursion started from p = 0 with the noise term).

USAGE
-----
    python3 schedule_risk.py spec.json            -> JSON on stdout
    python3 schedule_risk.py spec.json --mc T     -> exact vs Monte Carlo for that spec
    python3 schedule_risk.py --mc T               -> built-in self-checks (3 configs)
"""
import os
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import json
import math
import sys

import numpy as np


# ---------------------------------------------------------------- schedules
def gamma_schedule(spec, steps):
    """Return float64 array gamma_t, t = 0..steps-1."""
    g = float(spec["gamma"])
    gmin = float(spec.get("gamma_min", 0.0))
    W = int(spec.get("warmup", 0))
    name = spec["schedule"]
    out = np.empty(steps, dtype=np.float64)

    if name == "wsd":
        frac = float(spec.get("decay_fraction", 0.2))
        if not (0.0 < frac <= 1.0):
            raise ValueError("decay_fraction must be in (0,1]")
        s0 = steps - int(math.floor(frac * steps))
        shape = spec.get("decay_shape", "linear")
        dpow = float(spec.get("decay_power", 2.0))
    if name == "power":
        pp = float(spec.get("power_p", 0.5))
        t0 = float(spec.get("power_t0", 1.0))
    if name == "geometric":
        if spec.get("phase_length") is not None:
            L = int(spec["phase_length"])
        else:
            L = int(math.floor(steps / math.log2(steps))) if steps > 1 else 1
        L = max(L, 1)
    if name == "table":
        rows = [(int(r[0]), float(r[1])) for r in spec["table"]]
        if not rows or rows[0][0] != 0:
            raise ValueError("table must start at step 0")
        for i in range(1, len(rows)):
            if rows[i][0] <= rows[i - 1][0]:
                raise ValueError("table steps must increase")

    for t in range(steps):
        if t < W:
            out[t] = g * (t + 1) / W
            continue
        if name == "constant":
            gt = g
        elif name in ("cosine", "linear"):
            z = (t - W) / (steps - W)
            if name == "cosine":
                gt = gmin + (g - gmin) * (1.0 + math.cos(math.pi * z)) / 2.0
            else:
                gt = g - (g - gmin) * z
        elif name == "wsd":
            if t < s0:
                gt = g
            else:
                z = (t - s0) / (steps - s0)
                if shape == "linear":
                    f = 1.0 - z
                elif shape == "cosine":
                    f = (1.0 + math.cos(math.pi * z)) / 2.0
                elif shape == "sqrt":
                    f = 1.0 - math.sqrt(z)
                elif shape == "power":
                    f = (1.0 - z) ** dpow
                else:
                    raise ValueError("unknown decay_shape %r" % shape)
                gt = gmin + (g - gmin) * f
        elif name == "power":
            gt = g * (1.0 + t / t0) ** (-pp)
        elif name == "geometric":
            gt = g * 2.0 ** (-(t // L))
        elif name == "table":
            gt = rows[0][1]
            for s, gv in rows:
                if s <= t:
                    gt = gv
                else:
                    break
        else:
            raise ValueError("unknown schedule %r" % name)
        out[t] = gt
    return out


# ---------------------------------------------------------------- helpers
def model(spec):
    a = float(spec["a"]); b = float(spec["b"]); d = int(spec["d"])
    i = np.arange(1, d + 1, dtype=np.float64)
    lam = i ** (-a)
    wvar = i ** (a - b)
    return lam, wvar


def steps_and_checkpoints(spec):
    N = int(spec["N"]); B = int(spec["batch"])
    if N % B:
        raise ValueError("N must be a multiple of batch")
    steps = N // B
    cps = [int(c) for c in spec.get("checkpoints", [N])]
    for k, c in enumerate(cps):
        if c % B or c < 0 or c > N:
            raise ValueError("checkpoint %d not a multiple of batch in [0,N]" % c)
        if k and c <= cps[k - 1]:
            raise ValueError("checkpoints must increase")
    return steps, B, cps


# ---------------------------------------------------------------- exact
def exact(spec):
    lam, wvar = model(spec)
    sigma = float(spec["sigma"])
    steps, B, cps = steps_and_checkpoints(spec)
    gam = gamma_schedule(spec, steps)
    cstep = [c // B for c in cps]

    # row 0: full (with noise), row 1: bias (sigma = 0)
    p = np.vstack([wvar, wvar]).astype(np.float64)
    noise = np.array([sigma * sigma, 0.0])[:, None] * lam[None, :] / B
    lam2 = lam * lam
    res = {"samples": [], "risk": [], "bias": [], "variance": [], "gamma_sum": []}
    gsum = np.concatenate([[0.0], np.cumsum(gam)])

    def record(t):
        r = p @ lam
        risk = sigma * sigma + r[0]
        res["samples"].append(t * B)
        res["risk"].append(float(risk))
        res["bias"].append(float(r[1]))
        res["variance"].append(float(risk - sigma * sigma - r[1]))
        res["gamma_sum"].append(float(gsum[t]))

    k = 0
    while k < len(cstep) and cstep[k] == 0:
        record(0); k += 1
    for t in range(steps):
        if k >= len(cstep):
            break
        g = gam[t]
        tr = p @ lam                       # tr(P H) per row
        p = ((1.0 - g * lam) ** 2 + (g * g / B) * lam2) * p \
            + (g * g / B) * tr[:, None] * lam[None, :] + (g * g) * noise
        while k < len(cstep) and cstep[k] == t + 1:
            record(t + 1); k += 1
    return res


# ---------------------------------------------------------------- Monte Carlo
def monte_carlo(spec, trials, seed=12345, chunk=500):
    """Explicit SGD; returns mean and SE of risk and of bias (sigma=0 run with
    the same w*, x) at each checkpoint."""
    lam, wvar = model(spec)
    sigma = float(spec["sigma"])
    steps, B, cps = steps_and_checkpoints(spec)
    gam = gamma_schedule(spec, steps)
    cstep = [c // B for c in cps]
    d = lam.size
    sl = np.sqrt(lam)
    rng = np.random.default_rng(seed)
    R = np.zeros((len(cps), 0)); Bi = np.zeros((len(cps), 0))
    done = 0
    while done < trials:
        T = min(chunk, trials - done)
        w = rng.standard_normal((T, d)) * np.sqrt(wvar)
        v = np.zeros((T, d)); vb = np.zeros((T, d))
        rr = np.empty((len(cps), T)); bb = np.empty((len(cps), T))

        def rec(k):
            e = v - w; eb = vb - w
            rr[k] = sigma * sigma + (e * e) @ lam
            bb[k] = (eb * eb) @ lam
        k = 0
        while k < len(cstep) and cstep[k] == 0:
            rec(k); k += 1
        for t in range(steps):
            if k >= len(cstep):
                break
            X = rng.standard_normal((T, B, d)) * sl          # x ~ N(0,H)
            eps = sigma * rng.standard_normal((T, B))
            y = np.einsum("tbd,td->tb", X, w) + eps
            r = np.einsum("tbd,td->tb", X, v) - y
            v = v - (gam[t] / B) * np.einsum("tbd,tb->td", X, r)
            rb = np.einsum("tbd,td->tb", X, vb - w)           # noiseless
            vb = vb - (gam[t] / B) * np.einsum("tbd,tb->td", X, rb)
            while k < len(cstep) and cstep[k] == t + 1:
                rec(k); k += 1
        R = np.hstack([R, rr]); Bi = np.hstack([Bi, bb])
        done += T
    n = R.shape[1]
    return (R.mean(1), R.std(1, ddof=1) / math.sqrt(n),
            Bi.mean(1), Bi.std(1, ddof=1) / math.sqrt(n))


def compare(spec, trials, label=""):
    ex = exact(spec)
    mr, sr, mb, sb = monte_carlo(spec, trials)
    print("== %s (trials=%d)" % (label or spec["schedule"], trials))
    print("%8s %12s %12s %10s %6s | %12s %12s %6s" %
          ("samples", "exact_risk", "mc_risk", "se", "z", "exact_bias", "mc_bias", "z_b"))
    zmax = 0.0
    for k, s in enumerate(ex["samples"]):
        z = abs(ex["risk"][k] - mr[k]) / sr[k] if sr[k] > 0 else 0.0
        zb = abs(ex["bias"][k] - mb[k]) / sb[k] if sb[k] > 0 else 0.0
        zmax = max(zmax, z, zb)
        print("%8d %12.6g %12.6g %10.3g %6.2f | %12.6g %12.6g %6.2f" %
              (s, ex["risk"][k], mr[k], sr[k], z, ex["bias"][k], mb[k], zb))
    print("max z = %.2f  %s" % (zmax, "OK" if zmax < 4 else "FAIL"))
    return zmax


SELF_CHECKS = [
    ("cosine B=2 W=20", dict(a=1.5, b=2.0, sigma=0.3, d=30, N=400, batch=2, gamma=0.3,
                              schedule="cosine", warmup=20, gamma_min=0.01,
                              checkpoints=[0, 20, 40, 100, 200, 300, 400])),
    ("wsd sqrt B=1", dict(a=1.5, b=2.0, sigma=0.3, d=30, N=400, batch=1, gamma=0.3,
                          schedule="wsd", decay_shape="sqrt", decay_fraction=0.3,
                          warmup=10, gamma_min=0.0,
                          checkpoints=[10, 50, 200, 280, 300, 350, 400])),
    ("table B=2", dict(a=1.5, b=2.0, sigma=0.3, d=30, N=400, batch=2, gamma=0.3,
                       schedule="table",
                       table=[[0, 0.3], [50, 0.15], [120, 0.05], [170, 0.01]],
                       checkpoints=[20, 100, 200, 240, 340, 400])),
]


def main(argv):
    args = list(argv[1:])
    trials = None
    if "--mc" in args:
        i = args.index("--mc")
        trials = int(args[i + 1])
        del args[i:i + 2]
    if args:
        with open(args[0]) as f:
            spec = json.load(f)
        if trials is None:
            json.dump(exact(spec), sys.stdout)
            sys.stdout.write("\n")
            return 0
        return 0 if compare(spec, trials) < 4 else 1
    if trials is None:
        print(__doc__)
        return 2
    worst = max(compare(s, trials, lab) for lab, s in SELF_CHECKS)
    return 0 if worst < 4 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
