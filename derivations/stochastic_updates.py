r"""Claim 3: single-sample updates fluctuate with covariance :math:`\eta^2 G^{-1} \Sigma G^{-1}`.

A rule driven by one input sample per step, :math:`\Delta\theta = -\eta\, G^{-1} dC(\theta, x)`,
moves on average along the expected flow and fluctuates around it: with
:math:`\Sigma = \mathrm{Cov}_x[dC(\theta, x)]`, the covariance of one step is
:math:`\eta^2 G^{-1} \Sigma G^{-1}`.  Near the fixed point :math:`\theta^*` of the expected
flow the parameters settle into a stationary cloud whose covariance :math:`P` solves the
discrete Lyapunov equation :math:`P = A P A^T + \eta^2 G^{-1}\Sigma G^{-1}`,
:math:`A = I + \eta J` (:math:`J` the Jacobian of the expected flow at rate 1).  Both are
predicted here and simulated, for the intrinsic-plasticity rule (Fig 4A/B) under the
Euclidean and the Fisher metric.
"""

import functools

import sympy as sp

import symgrad as sg

#: Single-sample rate, samples for the one-step covariance, chains and steps of the stationary cloud.
ETA, SAMPLES, CHAINS, STEPS, BURN_IN = 0.01, 40000, 800, 700, 400


def derive():
    r"""The covariance of one step in closed form, and the per-sample differential it comes from."""
    from symgrad.paper.intrinsic_plasticity import expected_rules

    ip, _ = expected_rules()
    eta = sp.Symbol("eta", positive=True)
    G = sp.MatrixSymbol("G", 2, 2)
    S = sp.MatrixSymbol("Sigma", 2, 2)
    dC = sp.MatrixSymbol("dC", 2, 1)
    return {
        "one step Delta theta": -eta * G.I * dC,
        "covariance of one step Cov[Delta theta], Sigma = Cov[dC]": eta**2 * G.I * S * G.I,
        "per-sample differential dC(a, b, x)": sg.differential(ip.sample_cost).components(),
        "Euclidean metric": ip.euclidean.components(),
        "Fisher metric": ip.fisher.components(),
    }


def _values(ip):
    from symgrad.paper.intrinsic_plasticity import VALUES

    return VALUES, {ip.m: VALUES["m"], ip.s: VALUES["s"], ip.mu: VALUES["mu"]}


@functools.cache
def simulate(seed=3):
    """Predicted and simulated covariances, per metric: ``{label: dict of arrays}`` (computed once)."""
    import numpy as np
    from scipy.linalg import solve_discrete_lyapunov

    from symgrad.paper.intrinsic_plasticity import _fixed_point, _numeric_means, expected_rules, rules
    from symgrad.plotting import relevant_params

    ip, _ = expected_rules()
    values, params = _values(ip)
    eta = sp.Symbol("eta", positive=True)
    rng = np.random.default_rng(seed)
    t, w = np.polynomial.hermite.hermgauss(80)  # the input's moments: x = m + sqrt(2) s t
    nodes, weights = values["m"] + np.sqrt(2) * values["s"] * t, w / np.sqrt(np.pi)
    differential = sg.Vector(ip.manifold, ip.chart, list(sg.differential(ip.sample_cost).components()))
    dC = differential.numeric(ip.chart, params={ip.mu: values["mu"]})
    out = {}
    for (label, rule), mean in zip(rules(ip, eta).items(), _numeric_means().values()):
        theta, _ = _fixed_point(mean, [1.0, -1.0])
        step = rule.numeric(ip.chart, params=relevant_params(rule, {**params, eta: ETA}))
        G_inv = np.linalg.inv(step.metric(theta))
        # Sigma = Cov_x[dC(theta, x)] by quadrature over the input
        g = dC(np.broadcast_to(theta, (nodes.size, 2)), x=nodes)
        centred = g - weights @ g
        sigma = (centred * weights[:, None]).T @ centred
        Q = ETA**2 * G_inv @ sigma @ G_inv
        # one step from theta, many samples
        steps = step(np.broadcast_to(theta, (SAMPLES, 2)), x=rng.normal(values["m"], values["s"], SAMPLES))
        # the stationary cloud: many chains, one sample per step
        h = 1e-5
        J = np.stack([(mean(theta + h * e) - mean(theta - h * e)) / (2 * h) for e in np.eye(2)], axis=1)
        A = np.eye(2) + ETA * J
        state = np.broadcast_to(theta, (CHAINS, 2)).copy()
        cloud = []
        for k in range(STEPS):
            state = state + step(state, x=rng.normal(values["m"], values["s"], CHAINS))
            if k >= BURN_IN:
                cloud.append(state.copy())
        cloud = np.concatenate(cloud)
        out[label] = {
            "theta": theta,
            "step predicted": Q,
            "step simulated": np.cov(steps.T),
            "step mean": steps.mean(axis=0),
            "stationary predicted": solve_discrete_lyapunov(A, Q),
            "stationary simulated": np.cov(cloud.T),
            "cloud": cloud[:: max(1, len(cloud) // 3000)],
        }
    return out


def _relative(a, b):
    import numpy as np

    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def checks(results):
    """Predicted against simulated covariances, for both metrics, as ``{statement: passed}``."""
    import numpy as np

    eta = sp.Symbol("eta", positive=True)
    G = sp.Matrix(2, 2, sp.symbols("g11 g12 g12 g22", real=True))
    g = sp.Matrix(sp.symbols("d1 d2", real=True))
    S = sp.Matrix(2, 2, sp.symbols("s11 s12 s12 s22", real=True))
    # Cov[A g] = A Cov[g] A^T for the linear map A = -eta G^-1 (G symmetric): the closed form's algebra
    A = -eta * G.inv()
    covariance = (A * S * A.T - eta**2 * G.inv() * S * G.inv()).applyfunc(sp.cancel)
    sims = simulate()
    out = {
        "Cov[-eta G^-1 g] = eta^2 G^-1 Cov[g] G^-1 for a symmetric G": covariance == sp.zeros(2, 2)
        and (A * g).shape == (2, 1)
    }
    for label, r in sims.items():
        out[f"{label}: one-step covariance, predicted = simulated within 4%"] = (
            _relative(r["step simulated"], r["step predicted"]) < 0.04
        )
        out[f"{label}: one step from the fixed point has mean 0 (within 4 standard errors)"] = bool(
            np.all(np.abs(r["step mean"]) < 4 * np.sqrt(np.diag(r["step predicted"]) / SAMPLES))
        )
        out[f"{label}: stationary covariance, Lyapunov prediction = simulation within 25%"] = (
            _relative(r["stationary simulated"], r["stationary predicted"]) < 0.25
        )
    return out


def figure(results):
    """The stationary clouds of both rules with the predicted covariance ellipses (2 standard deviations)."""
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.6), layout="constrained")
    axes = fig.subplots(1, 2)
    angle = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(angle), np.sin(angle)])
    for ax, (label, r) in zip(axes, simulate().items()):
        c = r["cloud"]
        ax.plot(c[:, 0], c[:, 1], ".", color="C3", markersize=1, alpha=0.3, label="simulated")
        for key, style in (("stationary predicted", "k-"), ("stationary simulated", "C0--")):
            L = np.linalg.cholesky(r[key])
            ring = r["theta"][:, None] + 2 * L @ circle
            ax.plot(ring[0], ring[1], style, linewidth=1.2, label=key.replace("stationary ", "") + " (2 sd)")
        ax.plot(*r["theta"], "k*", markersize=10)
        ax.set(xlabel="gain $a$", ylabel="bias $b$", title=f"{label}, $\\eta = {ETA}$")
        ax.legend(fontsize=7, loc="upper right")
    return fig


def notes(results):
    """The table of predicted and simulated covariances."""
    import numpy as np

    rows = ["| metric | quantity | predicted | simulated |", "|---|---|---|---|"]
    fmt = lambda m: "[" + "; ".join(" ".join(f"{v:.3g}" for v in row) for row in np.asarray(m)) + "]"  # noqa: E731
    for label, r in simulate().items():
        for what in ("step", "stationary"):
            rows.append(
                f"| {label} | {what} covariance | {fmt(r[what + ' predicted'])} | {fmt(r[what + ' simulated'])} |"
            )
    return (
        f"Single-sample rate $\\eta = {ETA}$, inputs as in Fig 4A/B; {SAMPLES} samples for one step from "
        f"the fixed point; {CHAINS} chains of {STEPS} steps ({BURN_IN} discarded) for the stationary cloud.\n\n"
        + "\n".join(rows)
    )


if __name__ == "__main__":
    from symgrad.paper import main

    main("stochastic_updates", "Claim 3: the fluctuations of single-sample updates", derive)
