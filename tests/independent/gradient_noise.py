"""Monte Carlo gradient noise scale of one-pass constant-step SGD on the power-law linear model, written from the
model's definition alone (not from sgdlaw's sources).

Model: x ~ N(0, H), H = diag(lambda), lambda_i = i^-a (i = 1..d); w*_i ~ N(0, i^(a - b)) drawn once per trial;
y = <x, w*> + eps, eps ~ N(0, sigma^2). Identity sketch, v_0 = 0, and
    v_{t+1} = v_t - gamma (1/B) sum_{k in batch} x_k (<v_t, x_k> - y_k)
with fresh samples every step. With u = v - w* the per-sample gradient is g = x (x^T u - eps), its conditional mean
G(u) = H u, and the gradient noise scale (McCandlish et al. 2018, B_simple) is the ratio of expectations
    B_noise(t) = E[tr Cov(g | u_t)] / E[|G(u_t)|^2],   tr Cov(g | u) = E[|g|^2 | u] - |H u|^2.

The primary estimator is pure Monte Carlo: at each requested step, K fresh (x, eps) are drawn at every trial's
iterate, E[|g|^2 | u] is estimated by their mean |g|^2, and |H u|^2 (known exactly given u) is subtracted. The
ratio of trial means gets a delta-method standard error over trials (and a batch-means one as a cross-check).
As secondary checks it also gives the Isserlis closed form per trial,
    tr Cov(g | u) = sum_j lambda_j^2 u_j^2 + tr(H) (u^T H u + sigma^2),
and, separately, the exact expectation from the deterministic second-moment recursion of diag E[u u^T]
(exact_noise), which is not used by the Monte Carlo estimator.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402


def spectrum(a, b, d):
    i = np.arange(1, d + 1, dtype=float)
    return i ** (-a), i ** (a - b)  # lambda, prior variance of w*


def _ratio_se(num, den, nbatch=50):
    """Ratio of means R = mean(num) / mean(den) with a delta-method SE and a batch-means SE."""
    n = len(num)
    mn, md = num.mean(), den.mean()
    r = mn / md
    infl = (num - r * den) / md
    se_delta = infl.std(ddof=1) / np.sqrt(n)
    nb = min(nbatch, n)
    idx = np.array_split(np.arange(n), nb)
    rb = np.array([num[j].mean() / den[j].mean() for j in idx])
    se_bm = rb.std(ddof=1) / np.sqrt(nb)
    return r, se_delta, se_bm


def _mean_se(x):
    return x.mean(), x.std(ddof=1) / np.sqrt(len(x))


def _checkpoint(rng, u, lam, sigma, K, chunk):
    """Per-trial Monte Carlo estimates at iterates u (trials, d): (E|g|^2|u estimate, |Hu|^2, Isserlis trCov,
    excess)."""
    n, d = u.shape
    sq = np.sqrt(lam)
    g2 = np.empty(n)
    for s in range(0, n, chunk):
        uu = u[s:s + chunk]
        m = uu.shape[0]
        x = rng.standard_normal((m, K, d)) * sq
        eps = sigma * rng.standard_normal((m, K))
        r = np.einsum("mkd,md->mk", x, uu) - eps
        g = x * r[:, :, None]
        g2[s:s + chunk] = np.einsum("mkd,mkd->m", g, g) / K
    Hu = u * lam
    G2 = np.einsum("nd,nd->n", Hu, Hu)
    exc = np.einsum("nd,nd->n", u, Hu)
    iss = np.einsum("nd,nd->n", Hu, u * lam) + lam.sum() * (exc + sigma ** 2)
    return g2, G2, iss, exc


def simulate(a, b, d, sigma, gamma, B, steps, trials, seed, K=64, chunk=500):
    """Runs `trials` independent SGD runs to max(steps) and returns, for each requested step, a dict with keys
    step, b_noise, b_noise_se, b_noise_se_bm (pure MC), b_noise_isserlis, b_noise_isserlis_se, diff_se (SE of the
    per-trial difference between the two estimators' ratio), excess, excess_se, G2, trcov."""
    rng = np.random.default_rng(seed)
    lam, prior = spectrum(a, b, d)
    sq = np.sqrt(lam)
    want = sorted(set(int(s) for s in steps))
    u = -rng.standard_normal((trials, d)) * np.sqrt(prior)  # u_0 = v_0 - w* = -w*
    out = []
    t = 0
    for target in want:
        while t < target:
            x = rng.standard_normal((trials, B, d)) * sq
            eps = sigma * rng.standard_normal((trials, B))
            r = np.einsum("nbd,nd->nb", x, u) - eps
            u = u - (gamma / B) * np.einsum("nbd,nb->nd", x, r)
            t += 1
        g2, G2, iss, exc = _checkpoint(rng, u, lam, sigma, K, chunk)
        trcov = g2 - G2
        rb, se, se_bm = _ratio_se(trcov, G2)
        ri, sei, _ = _ratio_se(iss, G2)
        # SE of the difference of the two ratio estimators (they share the denominator)
        md = G2.mean()
        dse = ((trcov - iss) / md).std(ddof=1) / np.sqrt(trials)
        e, ese = _mean_se(exc)
        out.append(dict(step=target, b_noise=rb, b_noise_se=se, b_noise_se_bm=se_bm, b_noise_isserlis=ri,
                        b_noise_isserlis_se=sei, diff_se=dse, excess=e, excess_se=ese, G2=md, trcov=trcov.mean()))
    return out


def exact_noise(a, b, d, sigma, gamma, B, steps):
    """Exact E[excess] and B_noise from the recursion of c = diag E[u u^T] (H diagonal keeps E[u u^T] diagonal):
    c' = c - 2 gamma lam c + gamma^2 [ (1 + 1/B) lam^2 c + (1/B) lam (lam.c + sigma^2) ].
    Only a diagnostic; the Monte Carlo estimator does not use it."""
    lam, prior = spectrum(a, b, d)
    c = prior.copy()
    want = sorted(set(int(s) for s in steps))
    res = {}
    t = 0
    for target in want:
        while t < target:
            c = c - 2 * gamma * lam * c + gamma ** 2 * ((1 + 1.0 / B) * lam ** 2 * c
                                                         + lam * (lam @ c + sigma ** 2) / B)
            t += 1
        G2 = (lam ** 2) @ c
        exc = lam @ c
        trcov = G2 + lam.sum() * (exc + sigma ** 2)
        res[target] = dict(excess=exc, b_noise=trcov / G2)
    return res


def step0_exact(a, b, d, sigma):
    """Exact values at step 0 (u = -w*): E|G|^2 = sum lam^2 s, E trCov = sum lam^2 s + tr H (sum lam s + sigma^2)."""
    lam, prior = spectrum(a, b, d)
    G2 = (lam ** 2) @ prior
    exc = lam @ prior
    trcov = G2 + lam.sum() * (exc + sigma ** 2)
    return dict(excess=exc, G2=G2, trcov=trcov, b_noise=trcov / G2)
