"""JAX baseline of the reduced (eigenbasis) SGD, as a JAX user would write it: one trial's loop in
lax.scan, vmap over trials, jit; float64 state (jax_enable_x64), the same step arithmetic as sgdlaw
(residual, update, label noise; B = 1, constant step). Prints one JSON line with trial*step*M per second,
timed on a second call (compilation excluded). Not part of the tool; benchmark peer only.
"""
import argparse
import json
import time

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402


def make_run(M, steps, gamma, a, sigma):
    mu = jnp.arange(1, M + 1, dtype=jnp.float64) ** -a
    sq = jnp.sqrt(mu)

    def trial(key):
        k0, k1 = jax.random.split(key)
        e0 = -jax.random.normal(k0, (M,), dtype=jnp.float64)

        def step(e, k):
            kg, kn = jax.random.split(k)
            z = sq * jax.random.normal(kg, (M,), dtype=jnp.float32).astype(jnp.float64)
            xi = sigma * jax.random.normal(kn, (), dtype=jnp.float64)
            r = jnp.dot(e, z) - xi
            return e - gamma * r * z, None

        e, _ = jax.lax.scan(step, e0, jax.random.split(k1, steps))
        return jnp.sum(mu * e * e)

    return jax.jit(jax.vmap(trial))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--M", type=int, default=256)
    p.add_argument("--trials", type=int, default=512)
    p.add_argument("--steps", type=int, default=20000)
    p.add_argument("--a", type=float, default=1.5)
    p.add_argument("--gamma", type=float, default=0.1)
    args = p.parse_args()
    run = make_run(args.M, args.steps, args.gamma, args.a, 0.1)
    keys = jax.random.split(jax.random.PRNGKey(1), args.trials)
    run(keys).block_until_ready()  # compile
    t0 = time.perf_counter()
    out = run(keys).block_until_ready()
    dt = time.perf_counter() - t0
    work = args.trials * args.steps * args.M
    print(json.dumps({"trial_step_M_per_s": work / dt, "seconds": dt, "M": args.M, "trials": args.trials,
                      "steps": args.steps, "device": str(jax.devices()[0]), "jax": jax.__version__,
                      "finite": bool(jnp.all(jnp.isfinite(out)))}))


if __name__ == "__main__":
    main()
