r"""Claim 5: could data tell the metrics apart?  A power analysis on the binomial synapse.

For the synapse of Fig 4C/D, noisy observations :math:`(x_n, V_n)` of the
gradient flow under one metric (the truth: Euclidean, Fisher or metabolic) are
simulated, each candidate metric :math:`G_k` is fitted up to a positive
factor, and the candidates are ranked.  Repeating this with a seeded
generator estimates the probability that the truth ranks first, as a function
of the number of observations :math:`n` and of the relative velocity noise.

Ranking: with a positive factor :math:`c` and the noise level fitted, the
candidate's profile negative log-likelihood under the noise model
:math:`V_n = v_n + \sigma |v_n| \xi_n` is, up to a constant shared by all candidates,

.. math:: \ell_k = n \log\Big(a_k - \frac{b_k^2}{n}\Big) + 2 \sum_n \log |u_{k,n}|,

with :math:`u_{k,n} = -G_k(x_n)^{-1} dC(x_n)`,
:math:`a_k = \sum_n |V_n|^2 / |u_{k,n}|^2` and
:math:`b_k = \sum_n \langle V_n, u_{k,n}\rangle / |u_{k,n}|^2`.  The
equation-error residual :math:`\sqrt{\frac1n\sum_n|c\,G_k V_n + dC|^2}` of
:func:`symgrad.fit_metric` separates the candidates perfectly without noise,
but with noise it is biased (the noise enters multiplied by the candidate's
metric); its ranking is reported for comparison.
"""

import functools

import numpy as np
import sympy as sp

import symgrad as sg

#: Parameters of the synapse, as in Fig 4C/D (our assumptions, see the notes there).
VALUES = {"N": 10, "phi": 1.5, "epsilon": 0.02}

#: The box the observed states (q, P) are drawn from, uniformly.
STATE_BOX = {"q": (0.05, 1.5), "P": (0.05, 0.95)}

#: Numbers of observations on the power curves.
NS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)

#: Relative velocity noise levels sigma.
NOISES = (0.0, 0.1, 0.3, 1.0)

#: Monte-Carlo repetitions per point of the curves, and the seed of the generator.
REPS = 400
SEED = 2020

#: The power to reach.
TARGET = 0.95

NAMES = ("Euclidean", "Fisher", "metabolic")


@functools.lru_cache(maxsize=1)
def _model():
    """The synapse, the candidate metrics, and numeric dC and G_k at the values of :data:`VALUES`."""
    syn = sg.catalog.binomial_synapse()
    metrics = {
        "Euclidean": syn.euclidean,
        "Fisher": syn.fisher,
        "metabolic": sg.metabolic(syn.chart, {syn.P: 1 / (1 - syn.P) ** 2}),
    }
    values = {syn.N: VALUES["N"], syn.phi: VALUES["phi"], syn.epsilon: VALUES["epsilon"]}
    coords = [syn.q, syn.P]
    dC = sp.lambdify(coords, list(sg.differential(syn.cost).components().subs(values)), "numpy")
    G = {k: sp.lambdify(coords, list(m.components().subs(values)), "numpy") for k, m in metrics.items()}
    return syn, metrics, dC, G


def _stack(q, values, shape):
    """Evaluated components (scalars or arrays) as an array of shape ``q.shape + shape``."""
    return np.stack(np.broadcast_arrays(q, *values)[1:], axis=-1).reshape(q.shape + shape)


def evaluate(X):
    """The differential of the cost and the candidate metrics at states X.

    Parameters
    ----------
    X : array, shape (..., 2)
        States (q, P).

    Returns
    -------
    W : array, shape (..., 2)
        :math:`dC(x)`.
    G : dict
        ``{name: array of shape (..., 2, 2)}``.
    """
    _, _, dC, G = _model()
    q, P = X[..., 0], X[..., 1]
    return _stack(q, dC(q, P), (2,)), {k: _stack(q, f(q, P), (2, 2)) for k, f in G.items()}


def flows(W, G):
    """The velocities :math:`u_k = -G_k^{-1} dC` of every candidate (rate 1), ``{name: array (..., 2)}``."""
    return {k: -np.linalg.solve(Gk, W[..., None])[..., 0] for k, Gk in G.items()}


def sample(rng, shape):
    """States (q, P) drawn uniformly from :data:`STATE_BOX`, an array of shape ``shape + (2,)``."""
    (q0, q1), (p0, p1) = STATE_BOX["q"], STATE_BOX["P"]
    return np.stack([rng.uniform(q0, q1, shape), rng.uniform(p0, p1, shape)], axis=-1)


def observe(U, truth, noise, xi):
    r"""Noisy observed velocities :math:`V = v + \sigma |v| \xi` of the true flow ``U[truth]``."""
    v = U[truth]
    return v + noise * np.linalg.norm(v, axis=-1, keepdims=True) * xi


def likelihood_scores(V, U):
    r"""The profile negative log-likelihood :math:`\ell_k` of each candidate after 1, 2, ... observations.

    Parameters
    ----------
    V : array, shape (..., n, 2)
        Observed velocities.
    U : dict
        ``{name: array (..., n, 2)}``, each candidate's velocities at the same states.

    Returns
    -------
    dict
        ``{name: array (..., n)}``; entry ``j`` uses the first ``j + 1`` observations.
    """
    n = np.arange(1, V.shape[-2] + 1)
    out = {}
    for k, u in U.items():
        uu = np.sum(u * u, axis=-1)
        a = np.cumsum(np.sum(V * V, axis=-1) / uu, axis=-1)
        b = np.cumsum(np.sum(V * u, axis=-1) / uu, axis=-1)
        c = np.maximum(b / n, 0.0)
        r = np.maximum(a - 2 * b * c + n * c * c, np.finfo(float).tiny)
        out[k] = n * np.log(r) + 2 * np.cumsum(0.5 * np.log(uu), axis=-1)
    return out


def residual_scores(V, W, G):
    r"""The residual of :func:`symgrad.fit_metric` with ``family=[G_k]``, after 1, 2, ... observations.

    :math:`\min_{c \ge 0} \sqrt{\frac1n \sum_n |c\, G_k V_n + dC_n|^2}`, in closed form.

    Returns
    -------
    dict
        ``{name: array (..., n)}``.
    """
    n = np.arange(1, V.shape[-2] + 1)
    ww = np.cumsum(np.sum(W * W, axis=-1), axis=-1)
    out = {}
    for k, Gk in G.items():
        a = np.einsum("...ij,...j->...i", Gk, V)
        aw = np.cumsum(np.sum(a * W, axis=-1), axis=-1)
        aa = np.cumsum(np.sum(a * a, axis=-1), axis=-1)
        c = np.maximum(-aw / aa, 0.0)
        out[k] = np.sqrt(np.maximum(ww + 2 * c * aw + c * c * aa, 0.0) / n)
    return out


def power(ns=NS, noises=NOISES, reps=REPS, seed=SEED, criterion="likelihood"):
    """The probability that the true metric ranks first, by simulation.

    Every repetition draws ``max(ns)`` states and one standard normal noise
    vector per state, shared by all truths and noise levels (common random
    numbers), and uses its first ``n`` observations for each ``n``.

    Parameters
    ----------
    ns : sequence of int
        Numbers of observations.
    noises : sequence of float
        Relative velocity noise levels.
    reps : int
        Repetitions.
    seed : int
        Seed of the numpy Generator.
    criterion : {"likelihood", "residual"}
        Rank by the profile likelihood, or by fit_metric's residual.

    Returns
    -------
    array, shape (len(NAMES), len(noises), len(ns))
        One row per true metric, in the order of :data:`NAMES`.
    """
    rng = np.random.default_rng(seed)
    nmax = max(ns)
    X = sample(rng, (reps, nmax))
    xi = rng.standard_normal((reps, nmax, 2))
    W, G = evaluate(X)
    U = flows(W, G)
    idx = np.asarray(ns) - 1
    out = np.empty((len(NAMES), len(noises), len(ns)))
    for i, truth in enumerate(NAMES):
        for j, noise in enumerate(noises):
            V = observe(U, truth, noise, xi)
            s = likelihood_scores(V, U) if criterion == "likelihood" else residual_scores(V, W, G)
            others = np.min([s[k] for k in NAMES if k != truth], axis=0)
            out[i, j] = np.mean(s[truth] < others, axis=0)[idx]
    return out


def n_for(curve, ns=NS, target=TARGET):
    """The smallest n of ``ns`` whose power reaches ``target`` (inf if none)."""
    hits = np.flatnonzero(np.asarray(curve) >= target)
    return int(ns[hits[0]]) if hits.size else np.inf


def _data(truth, n, noise, seed):
    """One data set: n states, their noisy velocities under ``truth``, dC and the candidate metrics there."""
    rng = np.random.default_rng(seed)
    X = sample(rng, (n,))
    W, G = evaluate(X)
    return X, observe(flows(W, G), truth, noise, rng.standard_normal((n, 2))), W, G


def _matrix(a):
    """A nested list or array of numbers as a sympy Matrix of 4-digit Floats."""
    return sp.Matrix(np.asarray(a).tolist()).applyfunc(lambda x: sp.Float(x, 4))


def derive():
    """fit_metric on single data sets, and the power curves.

    Returns
    -------
    dict
        The candidate metrics; fit_metric's residuals of each candidate on a
        noise-free data set of 3 observations and on a noisy one of 20 (with the
        closed-form residuals of :func:`residual_scores` beside them); the power
        of each truth (rows: :data:`NOISES`, columns: :data:`NS`); the smallest
        n reaching 95% power (rows: noise levels, columns: truths); the power
        at n = max(NS) when ranking by fit_metric's residual.
    """
    syn, metrics, _, _ = _model()
    params = {syn.N: VALUES["N"], syn.phi: VALUES["phi"], syn.epsilon: VALUES["epsilon"]}
    out = {f"candidate metric: {k}": m.components() for k, m in metrics.items()}
    for i, truth in enumerate(NAMES):
        cases = [(3, 0.0, "no noise, n = 3")] + ([(20, 0.1, "noise 0.1, n = 20")] if truth == "metabolic" else [])
        for n, noise, key in cases:
            X, V, W, G = _data(truth, n, noise, SEED + i)
            fitted = [sg.fit_metric(syn.cost, X, V, family=[metrics[k]], params=params)[1] for k in NAMES]
            closed = [residual_scores(V, W, G)[k][-1] for k in NAMES]
            out[f"fit_metric residuals, truth {truth}, {key}"] = sp.Matrix([fitted]).applyfunc(sp.Float)
            out[f"closed-form residuals, truth {truth}, {key}"] = sp.Matrix([closed]).applyfunc(sp.Float)
    p = power()
    for i, truth in enumerate(NAMES):
        out[f"power, truth {truth}"] = _matrix(p[i])
    out["n for 95% power"] = sp.Matrix(
        len(NOISES), len(NAMES), lambda j, i: sp.oo if n_for(p[i, j]) == np.inf else sp.Integer(n_for(p[i, j]))
    )
    pr = power(criterion="residual")
    out["power at n = 1, ranking by fit_metric's residual"] = _matrix(pr[:, :, 0].T)
    out["power at max n, ranking by fit_metric's residual"] = _matrix(pr[:, :, -1].T)
    return out


def _curves(results):
    """The power curves of ``results``, an array of shape (len(NAMES), len(NOISES), len(NS))."""
    return np.array([np.array(results[f"power, truth {t}"], dtype=float) for t in NAMES])


def checks(results):
    """The statements this derivation supports, as ``{statement: passed}``."""
    p = _curves(results)
    se = 3 * 0.5 / np.sqrt(REPS)  # three Monte-Carlo standard errors at worst (p = 1/2)
    n95 = np.array(results["n for 95% power"], dtype=float)
    i3 = NS.index(3)
    quiet = []
    agree = []
    for t in NAMES:
        r = np.array(results[f"fit_metric residuals, truth {t}, no noise, n = 3"], dtype=float).ravel()
        k = NAMES.index(t)
        quiet.append(r[k] < 1e-8 * min(np.delete(r, k)))
        a = np.array(results[f"fit_metric residuals, truth {t}, no noise, n = 3"], dtype=float)
        b = np.array(results[f"closed-form residuals, truth {t}, no noise, n = 3"], dtype=float)
        agree.append(np.allclose(a, b, rtol=1e-6, atol=1e-9))
    a = np.array(results["fit_metric residuals, truth metabolic, noise 0.1, n = 20"], dtype=float)
    b = np.array(results["closed-form residuals, truth metabolic, noise 0.1, n = 20"], dtype=float)
    agree.append(np.allclose(a, b, rtol=1e-6, atol=1e-9))
    consistent = all(
        n95[j, i] == n_for(p[i, j])
        and (n95[j, i] == np.inf or p[i, j, NS.index(int(n95[j, i]))] >= TARGET)
        and all(p[i, j, m] < TARGET for m in range(len(NS)) if NS[m] < n95[j, i])
        for i in range(len(NAMES))
        for j in range(len(NOISES))
    )
    return {
        "without noise, fit_metric's residual ranks the true metric first at n = 3 (residual ~ 0)": all(quiet),
        "the closed-form residuals equal fit_metric's": all(agree),
        "without noise, the true metric ranks first at n = 3 in every repetition": bool(np.all(p[:, 0, i3] == 1.0)),
        "the power increases with n (up to 3 Monte-Carlo standard errors)": bool(np.all(np.diff(p, axis=2) >= -se)),
        "the power decreases with the noise (up to 3 Monte-Carlo standard errors)": bool(
            np.all(np.diff(p, axis=1) <= se)
        ),
        "the reported n for 95% power is the first n on the curve reaching 95%": consistent,
        f"every truth reaches 95% power by n = {max(NS)} at every noise level": bool(np.all(np.isfinite(n95))),
    }


def figure(results):
    """Power curves: probability that the true metric ranks first against n, one line per noise level."""
    from matplotlib.figure import Figure

    p = _curves(results)
    pr = np.array(results["power at max n, ranking by fit_metric's residual"], dtype=float)
    n95 = np.array(results["n for 95% power"], dtype=float)
    fig = Figure(figsize=(13.0, 4.0), layout="constrained")
    axes = fig.subplots(1, len(NAMES), sharey=True)
    for i, (ax, truth) in enumerate(zip(axes, NAMES)):
        for j, noise in enumerate(NOISES):
            ax.plot(NS, p[i, j], "o-", color=f"C{j}", markersize=3.5, label=rf"$\sigma = {noise:g}$")
            if np.isfinite(n95[j, i]):
                ax.plot([n95[j, i]], [p[i, j, NS.index(int(n95[j, i]))]], "s", color=f"C{j}", markersize=8, mfc="none")
            ax.plot([max(NS)], [pr[j, i]], "x", color=f"C{j}", markersize=8)
        ax.axhline(TARGET, color="0.4", linestyle="--", linewidth=0.8)
        ax.set_xscale("log")
        ticks = [n for n in (1, 2, 4, 8, 16, 32, 64) if n <= max(NS)]
        ax.set_xticks(ticks, [str(n) for n in ticks])
        ax.minorticks_off()
        ax.set(xlabel="observations $n$", title=f"truth: {truth}")
    axes[0].set_ylabel("P(true metric ranks first)")
    axes[1].plot([], [], "s", color="0.3", mfc="none", label="first n at 95%")
    axes[1].plot([], [], "x", color="0.3", label=f"ranked by fit_metric's residual, n = {max(NS)}")
    axes[1].legend(fontsize=8, loc="lower center")
    fig.suptitle(
        f"Ranking Euclidean, Fisher and metabolic flows of the binomial synapse by likelihood ({REPS} repetitions)",
        fontsize=11,
    )
    return fig


def notes(results):
    """Our assumptions (states, noise, ranking) and the table of n for 95% power, in Markdown."""
    n95 = np.array(results["n for 95% power"], dtype=float)
    pr = np.array(results["power at max n, ranking by fit_metric's residual"], dtype=float)
    pr1 = np.array(results["power at n = 1, ranking by fit_metric's residual"], dtype=float)
    (q0, q1), (p0, p1) = STATE_BOX["q"], STATE_BOX["P"]
    lines = [
        "### Assumptions",
        "",
        "The paper asks which metric the brain uses; it gives no data model. Everything below is our choice:",
        "",
        f"- the synapse of Fig 4C/D with $N = {VALUES['N']}$, $\\phi = {VALUES['phi']}$, "
        f"$\\epsilon = {VALUES['epsilon']}$;",
        f"- observed states $(q, P)$ drawn independently and uniformly from $[{q0}, {q1}] \\times [{p0}, {p1}]$;",
        "- observed velocities $V_n = v_n + \\sigma |v_n|\\, \\xi_n$, with $v_n$ the true flow at rate 1 and "
        "$\\xi_n$ independent standard normal in $\\mathbb{R}^2$: the noise level $\\sigma$ is relative to "
        "each observation's speed;",
        "- each candidate is fitted up to a positive factor $c$ (the unknown learning rate), "
        "and $\\sigma$ is fitted too;",
        f"- {REPS} repetitions per point, numpy `default_rng({SEED})`, with the same states and noise "
        "vectors for every truth and noise level, and nested samples in $n$.",
        "",
        "### Ranking",
        "",
        "Candidates are ranked by their profile negative log-likelihood under this noise model, "
        "$\\ell_k = n \\log(a_k - b_k^2/n) + 2\\sum_n \\log|u_{k,n}|$, with $u_{k,n} = -G_k^{-1} dC(x_n)$, "
        "$a_k = \\sum_n |V_n|^2/|u_{k,n}|^2$, $b_k = \\sum_n \\langle V_n, u_{k,n}\\rangle/|u_{k,n}|^2$; "
        "every candidate has the same two free parameters, so no penalty is needed.",
        "",
        "`fit_metric`'s residual $\\sqrt{\\frac1n\\sum_n |c\\,G_k V_n + dC_n|^2}$ (with `family=[G_k]`) "
        "ranks the truth first without noise, already at $n = 3$, but with noisy velocities it is biased: "
        "the noise enters multiplied by the candidate's metric, so a candidate that is small where the "
        "noise is large is favoured. It is no consistent criterion: for a metabolic truth its power falls "
        f"as $n$ grows. Its power at $n = 1$ and at $n = {max(NS)}$ (the crosses in the figure):",
        "",
        "| $\\sigma$ | " + " | ".join(f"{t}, $n = 1$ | {t}, $n = {max(NS)}$" for t in NAMES) + " |",
        "|---|" + "---|---|" * len(NAMES),
    ]
    for j, noise in enumerate(NOISES):
        cells = [f"{a:.2f} | {b:.2f}" for a, b in zip(pr1[j], pr[j])]
        lines.append(f"| {noise:g} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"### Observations needed for {TARGET:.0%} power (likelihood ranking)",
        "",
        "The smallest $n$ on the grid `" + ", ".join(map(str, NS)) + "` at which the true metric ranks first "
        f"in at least {TARGET:.0%} of the repetitions:",
        "",
        "| $\\sigma$ | " + " | ".join(f"truth {t}" for t in NAMES) + " |",
        "|---|" + "---|" * len(NAMES),
    ]
    for j, noise in enumerate(NOISES):
        cells = [f"> {max(NS)}" if not np.isfinite(x) else str(int(x)) for x in n95[j]]
        lines.append(f"| {noise:g} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "With noise proportional to the speed, the size of the noise itself carries information about the "
        "true speed; with a noise model that does not, more observations would be needed.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    from symgrad.paper import main

    main("metric_identifiability", "Claim 5: how many observations tell the metrics apart", derive)
