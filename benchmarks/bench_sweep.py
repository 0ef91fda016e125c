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
  thread each; and again on workers started without the ``MALLOC_TRIM_THRESHOLD_=65536``
  that distributed sets in their environment (it stops glibc from adapting its threshold
  for mapping large arrays: the solver then maps and unmaps memory at every step, and
  its tasks took 10 to 15 % more CPU time in A/B runs, less than this table resolves).
  The cluster's start is not counted (a user with a running cluster does
  not pay it; it is printed apart).  The worker processes, spawned from this script,
  import symgrad (sympy, scipy) as they start, within that time.  The first sweep on the
  fresh workers is a row of its own (one run); the next row is the same sweep on the
  same, now warm, workers.

Each row is the best of ``--repeat`` runs (the cold cluster row: one run); a sweep in
this process runs once untimed first, as Dask and xarray are imported on the first
call (printed apart).  The table gives each time, the speed-up over the serial loop,
the speed-up over the synchronous sweep (the same tasks, one at a time), and the
parallel efficiency: that second speed-up divided by the workers.  The speed-up over
the serial loop mixes two gains: chunking (an ensemble of ``chunk * members`` per
solver call) and parallelism; the efficiency is the parallel one alone.  On 2 cores
the best 2 workers can do is an efficiency of 1; the scheduler (in this process) and
the transfer of the results back take some of the same 2 cores.  The number of cores
and the load average before and after the runs are printed, and for each row the
cores that other processes used during its (best) run, on Linux: other work takes
cores away, and a row's efficiency means little where it took one.  So are the BLAS
threads here and in the workers (one each, see below).

Run ``python benchmarks/bench_sweep.py`` (``--quick``: 20 values of eta x 200 members).
"""

import os

# One BLAS thread in this process, as distributed gives its workers, set before numpy loads
# OpenBLAS: the solver's vectors of a block of 10^4 trajectories are long enough for OpenBLAS to
# run them on every core, and oversubscribed (by Dask's threads, or other processes) its threads
# wait for each other, which can make a run several times as slow.  Export the variables to
# override.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

import symgrad as sg  # noqa: E402
from symgrad.numeric.sweep import sweep  # noqa: E402


def best_of(repeat, f):
    """The smallest wall time of ``repeat`` calls of ``f``, the cores other processes used then, and the last result."""
    best, others, result = np.inf, np.nan, None
    for _ in range(repeat):
        before, t = cpu_seconds(), time.perf_counter()
        result = f()
        seconds, after = time.perf_counter() - t, cpu_seconds()
        if seconds < best:
            best = seconds
            others = (after[0] - after[1] - before[0] + before[1]) / seconds if before and after else np.nan
    return best, others, result


def cpu_seconds():
    """CPU seconds used so far on the machine, and by this process and its descendants (Linux), or None.

    Their difference over a run is what other processes took from the same cores.
    """
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
        parents, used = {}, {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            parents[int(pid)], used[int(pid)] = int(fields[1]), int(fields[11]) + int(fields[12])
    except OSError:
        return None
    mine, grown = {os.getpid()}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in mine} - mine
        mine |= more
        grown = bool(more)
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - ticks[3] - ticks[4]) / tick, sum(used[pid] for pid in mine) / tick  # less idle, iowait


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 parameter sets x 200 members")
    parser.add_argument("--sets", type=int, default=100)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=5, help="parameter sets per task (default: %(default)d)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row, the best counted (default: %(default)d)")
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

    load_before, here = os.getloadavg(), environ()
    t = time.perf_counter()
    sweep(num, {"eta": etas[:1]}, x0[:1], (0, 5), t_eval, scheduler="synchronous", **options)
    first_call = time.perf_counter() - t

    rows, results = [], []

    def row(label, workers, f, repeat=args.repeat):
        seconds, others, result = best_of(repeat, f)
        rows.append((label, workers, seconds, others))
        results.append(result)

    row("serial loop of integrate", 1, serial)
    row(f"sweep, synchronous (chunk={args.chunk})", 1, lambda: swept(scheduler="synchronous"))
    row(f"sweep, threaded scheduler (chunk={args.chunk})", os.cpu_count(), swept)
    import dask
    from distributed import Client, LocalCluster

    t = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster:
        with Client(cluster) as client:
            startup = time.perf_counter() - t
            client.submit(sum, [1]).result()  # the workers answer
            env = next(iter(client.run(environ).values()))
            row("sweep, LocalCluster 2 workers, first sweep", 2, lambda: swept(client), repeat=1)
            row(f"sweep, LocalCluster 2 workers (chunk={args.chunk})", 2, lambda: swept(client))
    untrimmed = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    with (
        dask.config.set(untrimmed),
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster,
    ):
        with Client(cluster) as client:
            swept(client)  # the first sweep
            row("sweep, LocalCluster 2 workers, no malloc trim", 2, lambda: swept(client))
    reference = results[0]
    for result in results[1:]:
        assert np.allclose(result, reference, rtol=1e-4, atol=1e-4), np.abs(result - reference).max()

    serial_time, sync_time = rows[0][2], rows[1][2]
    print(f"\n{sets} parameter sets x {members} members = {sets * members} trajectories, {os.cpu_count()} cores")
    load = ", ".join(f"{v:.1f}" for v in load_before)
    print(f"load average before: {load}; best of {args.repeat} runs per row (the first cluster sweep: 1 run)")
    print(f"not counted: the first sweep in this process (imports Dask, xarray) {first_call:.1f} s;")
    print(f"             the cluster's start {startup:.1f} s")
    print(f"environment here: {here}; the workers': {env}; load average after: {load_after()}\n")
    print(f"| {'run':<46} | workers | time (s) | vs serial | vs synchronous | efficiency | others' cores |")
    print(f"|{'-' * 48}|---------|----------|-----------|----------------|------------|---------------|")
    for label, workers, seconds, others in rows:
        over_sync = sync_time / seconds
        print(
            f"| {label:<46} | {workers:>7} | {seconds:>8.2f} | {serial_time / seconds:>9.2f} "
            f"| {over_sync:>14.2f} | {over_sync / workers:>10.2f} | {others:>13.2f} |"
        )


#: The environment variables that the table's header shows, here and in the workers (BLAS threads, memory trimming).
ENVIRON = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_")


def environ():
    """The variables of :data:`ENVIRON` in this process."""
    return {k: os.environ.get(k) for k in ENVIRON}


def load_after():
    """The load average now, as text."""
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())


if __name__ == "__main__":
    main()
