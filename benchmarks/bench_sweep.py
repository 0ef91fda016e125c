"""Parameter sweeps: a serial loop against :func:`symgrad.numeric.sweep.sweep` on Dask, in process and on 2 workers.

The flow is the Fisher (natural-gradient) flow of the paper's Gaussian KL cost,
C = KL(N(4, 2^2) || N(mu, sigma^2)) in the chart (mu, sigma), with a free rate eta.
The sweep: 100 values of eta in [0.2, 2] times 10^3 initial points drawn in
[0, 8] x [0.5, 4], integrated to t = 5 (rtol 1e-6, atol 1e-8), reported at 11 times.

* serial: one ``NumericFlow.integrate`` of the 10^3-member ensemble per value of eta,
  in a Python loop, in this process;
* sweep, synchronous: ``sweep(..., scheduler="synchronous")``, one task at a time: the
  gain of integrating ``chunk`` parameter sets as one ensemble, without parallelism;
* sweep, threads: ``sweep(...)`` on Dask's threaded scheduler in this process
  (the default), ``chunk`` parameter sets per task;
* sweep, 2 workers: the same call on a ``LocalCluster`` of 2 worker processes with one
  thread each (started before the clock starts), the tasks sent to them pickled.

The table gives each time, the speed-up over the serial loop, and the parallel
efficiency (speed-up / workers), next to the number of cores of the machine and its
load average before the runs (other work on the machine takes cores away): on 2 cores
the best a 2-worker cluster can do is a speed-up of 2.  The solver's work is dominated
by Python overhead per step, which holds the GIL: threads give little, processes scale.

Run ``python benchmarks/bench_sweep.py`` (``--quick``: 20 values of eta x 200 members).
"""

import argparse
import os
import time

import numpy as np
import sympy as sp

import symgrad as sg
from symgrad.numeric.sweep import sweep


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 parameter sets x 200 members")
    parser.add_argument("--sets", type=int, default=100)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=5, help="parameter sets per task (default: %(default)d)")
    args = parser.parse_args()
    sets, members = (20, 200) if args.quick else (args.sets, args.members)

    g = sg.catalog.gaussian_kl()
    eta = sp.Symbol("eta", positive=True)
    num = sg.GradientFlow(g.cost, g.fisher, rate=eta).numeric(g.std)
    rng = np.random.default_rng(0)
    x0 = np.column_stack([rng.uniform(0, 8, members), rng.uniform(0.5, 4, members)])
    etas = np.linspace(0.2, 2.0, sets)
    t_eval = np.linspace(0, 5, 11)
    options = {"rtol": 1e-6, "atol": 1e-8}

    def serial():
        out = np.empty((sets, members, len(t_eval), 2))
        for k, e in enumerate(etas):
            out[k] = num.integrate(x0, (0, 5), t_eval, params={"eta": e}, **options).y
        return out

    def swept(client=None, scheduler="threads"):
        ds = sweep(
            num, {"eta": etas}, x0, (0, 5), t_eval, chunk=args.chunk, client=client, scheduler=scheduler, **options
        )
        return ds.state.values

    rows = []
    load_before = os.getloadavg()

    def timed(label, f, workers):
        t = time.perf_counter()
        result = f()
        rows.append((label, workers, time.perf_counter() - t))
        return result

    reference = timed("serial loop of integrate", serial, 1)
    sync = timed(f"sweep, synchronous (chunk={args.chunk})", lambda: swept(scheduler="synchronous"), 1)
    threads = timed(f"sweep, threaded scheduler (chunk={args.chunk})", swept, os.cpu_count())
    from distributed import Client, LocalCluster

    t = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster:
        with Client(cluster) as client:
            startup = time.perf_counter() - t
            client.submit(sum, [1]).result()  # workers warm
            cluster_result = timed(f"sweep, LocalCluster 2 workers (chunk={args.chunk})", lambda: swept(client), 2)
    for result in (sync, threads, cluster_result):
        assert np.allclose(result, reference, rtol=1e-4, atol=1e-4), np.abs(result - reference).max()

    serial_time = rows[0][2]
    print(f"\n{sets} parameter sets x {members} members = {sets * members} trajectories, {os.cpu_count()} cores")
    load = ", ".join(f"{v:.1f}" for v in load_before)
    print(f"cluster start-up (not counted): {startup:.1f} s; load average before: {load}\n")
    print(f"| {'run':<44} | workers | time (s) | speed-up | efficiency |")
    print(f"|{'-' * 46}|---------|----------|----------|------------|")
    for label, workers, seconds in rows:
        speedup = serial_time / seconds
        print(f"| {label:<44} | {workers:>7} | {seconds:>8.2f} | {speedup:>8.2f} | {speedup / workers:>10.2f} |")


if __name__ == "__main__":
    main()
