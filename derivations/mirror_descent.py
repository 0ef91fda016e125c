r"""Mirror descent is the gradient flow of a Hessian metric.

Mirror descent with a strictly convex mirror map :math:`\psi` updates the dual
point, :math:`\nabla\psi(w_{t+1}) = \nabla\psi(w_t) - \eta\,\nabla C(w_t)`.  In
continuous time, :math:`\tfrac{d}{dt}\nabla\psi(w) = -\eta\,\nabla C`, that is

.. math:: \dot w = -\eta\, (\nabla^2\psi(w))^{-1} \nabla C(w),

the Riemannian gradient flow of the Hessian metric :math:`G = \nabla^2\psi`.

* With the negative entropy :math:`\psi(w) = \sum_i w_i \log w_i - w_i` on the
  positive orthant, :math:`G = \mathrm{diag}(1/w_i)` and the flow is the
  exponentiated-gradient (multiplicative) rule
  :math:`\dot w_i = -\eta\, w_i\, \partial C / \partial w_i`, whose Euler step in
  the dual chart :math:`\log w` is :math:`w_i \leftarrow w_i e^{-\eta\,\partial_i C}`.
  It is also the Fisher metric of Poisson rates.
* For an exponential family with log-partition :math:`A`, the Fisher metric is
  :math:`\nabla^2 A` in natural parameters :math:`\theta` and
  :math:`\nabla^2 A^*` in mean parameters :math:`\mu = \nabla A(\theta)`.
  Natural-gradient descent in :math:`\theta` equals mirror descent in
  :math:`\mu` with mirror map :math:`A^*`, step by step:
  :math:`F(\theta)^{-1}\nabla_\theta C = \nabla_\mu C` (chain rule,
  :math:`\partial\mu/\partial\theta = F`), so both update
  :math:`\theta \leftarrow \theta - \eta\,\nabla_\mu C`.  Checked exactly on the
  Bernoulli, Poisson and three-class categorical families.
"""

import numpy as np
import sympy as sp

import symgrad as sg
from symgrad.core._hessian import hessian_metric

#: The cost of the figure's exponentiated-gradient panel is minimal at this point.
TARGET = (1.0, 2.0)
#: Starting points of the trajectories (rate 1).
STARTS = ((0.2, 0.2), (3.0, 0.3), (0.3, 3.5), (3.0, 3.5))
#: Learning rate, target mean and start of the Bernoulli iterates.
STEP, BERNOULLI_TARGET, BERNOULLI_START = 2.0, 0.9, 0.1


def _families():
    """``{name: (chart of natural coordinates, family)}``; the Poisson family is built on its chart."""
    t, l1, l2 = sp.symbols("t l1 l2", real=True)
    return {
        "Bernoulli": (sg.Manifold("coin").chart(t), sg.Categorical([0, t])),
        "Poisson": (sg.Manifold("counts").chart(t), None),
        "Categorical": (sg.Manifold("three classes").chart(l1, l2), sg.Categorical([0, l1, l2])),
    }


def derive():
    """The negative-entropy Hessian metric and its flow; natural gradients against mirror steps."""
    w1, w2, eta = sp.symbols("w1 w2 eta", positive=True)
    W = sg.Manifold("positive weights").chart(w1, w2)
    psi = sg.Scalar(W.manifold, W, sum(w * sp.log(w) - w for w in (w1, w2)))
    G = hessian_metric(psi)
    a, b = TARGET
    cost = sg.Scalar(W.manifold, W, (w1 - a) ** 2 / 2 + (w2 - b) ** 2 / 2 + w1 * w2 / 4)
    dC = sg.differential(cost).components()
    out = {
        "negative entropy psi": psi.components(),
        "Hessian metric of psi": G.components(),
        "mirror-descent flow": sg.GradientFlow(cost, G, rate=eta).components(),
        "exponentiated-gradient rule": sp.Matrix([-eta * w1 * dC[0], -eta * w2 * dC[1]]),
        "Euclidean flow": sg.GradientFlow(cost, sg.euclidean(W), rate=eta).components(),
        "Fisher metric of a Poisson rate": sg.fisher_metric(
            sg.Poisson(rate=w1), sg.Manifold("rate").chart(w1)
        ).components(),
    }
    for name, (T, fam) in _families().items():
        if fam is None:
            fam = sg.Poisson(rate=sp.exp(T.coords[0]))
        ef = fam.exponential_family()
        E = ef.mean_chart(T)
        mus = E.coords
        cost = sg.Scalar(T.manifold, E, sum((m - sp.Rational(1, 2 + i)) ** 2 for i, m in enumerate(mus)) / 2)
        F = sg.fisher_metric(ef, T)
        natural = sg.riemannian_gradient(cost, F).components(T)
        mirror = T.manifold.transition_map(E, T).push(sg.differential(cost).components(E))
        out[f"{name}: natural gradient in theta"] = natural
        out[f"{name}: mirror gradient (d/dmu of C) in theta"] = sp.Matrix(mirror)
        out[f"{name}: Hessian of A minus Fisher (natural chart)"] = (
            hessian_metric(ef.potential(T), T).components() - F.components()
        ).applyfunc(sp.cancel)
        out[f"{name}: Hessian of A* minus Fisher (mean chart)"] = (
            hessian_metric(ef.dual_potential(T), E).components() - F.components(E)
        ).applyfunc(sp.cancel)
    return out


def _is_zero(m):
    return all(sp.cancel(e) == 0 for e in sp.Matrix(m))


def checks(results):
    """Each statement checked exactly (sympy cancel == 0)."""
    w1 = sp.Symbol("w1", positive=True)
    out = {
        "the Hessian of sum w log w - w is diag(1/w)": _is_zero(
            results["Hessian metric of psi"]
            - sp.diag(*[1 / s for s in sorted(results["negative entropy psi"].free_symbols, key=str)])
        ),
        "mirror descent with the negative entropy is the exponentiated-gradient rule w' = -eta w dC/dw": _is_zero(
            results["mirror-descent flow"] - results["exponentiated-gradient rule"]
        ),
        "the negative-entropy metric is the Fisher metric of a Poisson rate": _is_zero(
            results["Fisher metric of a Poisson rate"] - sp.Matrix([[1 / w1]])
        ),
        "the exponentiated-gradient flow is not the Euclidean flow": not _is_zero(
            results["mirror-descent flow"] - results["Euclidean flow"]
        ),
    }
    for name in _families():
        out[f"{name}: natural gradient in natural parameters = mirror descent in mean parameters"] = _is_zero(
            results[f"{name}: natural gradient in theta"] - results[f"{name}: mirror gradient (d/dmu of C) in theta"]
        )
        out[f"{name}: Fisher = Hess A (natural) = Hess A* (mean)"] = _is_zero(
            results[f"{name}: Hessian of A minus Fisher (natural chart)"]
        ) and _is_zero(results[f"{name}: Hessian of A* minus Fisher (mean chart)"])
    return out


def _rk4(f, x0, t_end=4.0, n=400):
    x, h, path = np.array(x0, dtype=float), t_end / n, [np.array(x0, dtype=float)]
    for _ in range(n):
        k1 = f(x)
        k2 = f(x + h / 2 * k1)
        k3 = f(x + h / 2 * k2)
        k4 = f(x + h * k3)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        path.append(x)
    return np.array(path)


def figure(results):
    """Euclidean and exponentiated-gradient flows; Bernoulli natural-gradient and mirror iterates."""
    from matplotlib.figure import Figure

    w1, w2, eta = sp.symbols("w1 w2 eta", positive=True)
    fig = Figure(figsize=(11.0, 4.4), layout="constrained")
    ax, bx = fig.subplots(1, 2)
    a, b = TARGET
    g1, g2 = np.meshgrid(np.linspace(0.01, 4, 120), np.linspace(0.01, 4, 120))
    ax.contour(g1, g2, (g1 - a) ** 2 / 2 + (g2 - b) ** 2 / 2 + g1 * g2 / 4, levels=15, colors="0.8", linewidths=0.7)
    for key, color, label in (
        ("Euclidean flow", "C0", "Euclidean gradient"),
        ("mirror-descent flow", "C1", "exponentiated gradient = mirror (negative entropy) = Poisson Fisher"),
    ):
        f = sp.lambdify([w1, w2], list(results[key].subs(eta, 1)), "numpy")
        for i, start in enumerate(STARTS):
            path = _rk4(lambda x, f=f: np.array(f(*x), dtype=float), start)
            ax.plot(path[:, 0], path[:, 1], color=color, label=label if i == 0 else None)
    ax.plot(*zip(*STARTS), "k.", markersize=6)
    ax.set(xlim=(0, 4), ylim=(0, 4), xlabel="$w_1$", ylabel="$w_2$", title="flows on the positive orthant")
    ax.legend(loc="upper right", fontsize=8)
    # Bernoulli: theta-steps of natural gradient descent and mirror descent on mu, and Euclidean steps in theta
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    grad_mu = lambda m: m - BERNOULLI_TARGET  # noqa: E731  (cost (mu - target)^2 / 2)
    steps = 15
    nat, mir, euc = [np.log(BERNOULLI_START / (1 - BERNOULLI_START))] * 3
    rows = []
    for _ in range(steps + 1):
        rows.append((sig(nat), sig(mir), sig(euc)))
        m = sig(nat)
        nat = nat - STEP * grad_mu(m) * m * (1 - m) / (m * (1 - m))  # F^{-1} dC/dtheta, F = mu (1 - mu)
        mir = mir - STEP * grad_mu(sig(mir))  # grad A*(mu) = logit(mu) steps by -STEP dC/dmu
        e = sig(euc)
        euc = euc - STEP * grad_mu(e) * e * (1 - e)  # dC/dtheta
    rows = np.array(rows)
    k = np.arange(steps + 1)
    bx.plot(k, rows[:, 1], "-", color="C1", label="mirror descent in $\\mu$ (mirror map $A^*$)")
    bx.plot(k, rows[:, 0], "o", color="C3", mfc="none", label="natural gradient in $\\theta$")
    bx.plot(k, rows[:, 2], "s-", color="C0", markersize=3, label="Euclidean gradient in $\\theta$")
    bx.axhline(BERNOULLI_TARGET, color="0.6", lw=0.8, ls="--")
    bx.set(xlabel="step", ylabel="$\\mu = P(x = 1)$", title=f"Bernoulli, step size {STEP}: the same iterates")
    bx.legend(loc="lower right", fontsize=8)
    return fig


if __name__ == "__main__":  # pragma: no cover
    from derivations import main

    main("mirror_descent", "Mirror descent as the gradient flow of a Hessian metric", derive)
