r"""Claim 4: one observed flow does not determine the metric.

Observing a learning rule :math:`\dot x = v(x)` and knowing the cost
:math:`C` gives, at each point, the :math:`n` equations :math:`G(x)\, v(x) = -dC(x)`
for the :math:`n(n+1)/2` unknown functions of a symmetric metric :math:`G`: the
metric is left underdetermined by :math:`n(n-1)/2` functions.

The example is the paper's Gaussian KL cost in the chart :math:`(\mu, \sigma)`
with its Fisher flow :math:`v = -F^{-1} dC` as the "observed" rule.  With
:math:`u = (-v_2, v_1)` the flow turned by a right angle in the chart,
:math:`u u^T v = 0`, so every

.. math:: G_\lambda = F + \lambda\, u u^T, \qquad \lambda > 0,

is a metric (positive definite by the matrix determinant lemma) whose
gradient flow is exactly :math:`v`.  So is the metric that
:func:`symgrad.gradient_metric` constructs from :math:`v` and :math:`C` alone.
In two dimensions the family is complete: every symmetric :math:`G` with
:math:`G v = -dC` is :math:`F + c\, u u^T` for one function :math:`c`.  The
family :math:`G_\lambda` (a constant :math:`\lambda`) and the right-angle vector
:math:`u` are our choices of illustration, not the paper's.
"""

import numpy as np
import sympy as sp

import symgrad as sg

#: The constant lambda of the member G_lambda = F + lambda u u^T drawn in the figure and checked as a number.
LAMBDA = sp.Rational(1, 2)
#: The dimensions of the counting argument's table.
DIMENSIONS = (2, 3, 4, 5)
#: The radius of the metric balls drawn in the figure.
RADIUS = 0.3


def _model():
    g = sg.catalog.gaussian_kl()
    lam = sp.Symbol("lambda", positive=True)
    v = sp.Matrix(sg.GradientFlow(g.cost, g.fisher).components(g.std))
    u = sp.Matrix([-v[1], v[0]])
    return g, lam, v, u


def _family(g, lam, u, check=True):
    """The metric F + lambda u u^T, given in the chart (mu, sigma)."""
    G = (g.fisher.components(g.std) + lam * u * u.T).applyfunc(sp.cancel)
    return sg.Metric(g.manifold, g.std, G, check=check)


def _rank_of_constraint(n):
    """The rank of the linear map S -> S v on symmetric n x n matrices, for a generic (symbolic) v."""
    v = sp.symbols(f"v1:{n + 1}", real=True)
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    # the coefficient of the unknown S_ij (= S_ji) in the k-th component of S v
    A = sp.Matrix(
        n,
        len(pairs),
        lambda k, p: (
            (v[pairs[p][1]] if k == pairs[p][0] else 0)
            + (v[pairs[p][0]] if k == pairs[p][1] and pairs[p][0] != pairs[p][1] else 0)
        ),
    )
    return A.rank(simplify=True)


def _general_solution():
    """Every symmetric 2 x 2 matrix G with G v = -w, for symbolic v (v1 != 0) and w: one free entry."""
    v1, v2, w1, w2 = sp.symbols("v1 v2 w1 w2", real=True)
    a, b, c = sp.symbols("g11 g12 g22", real=True)
    G = sp.Matrix([[a, b], [b, c]])
    eqs = list(G * sp.Matrix([v1, v2]) + sp.Matrix([w1, w2]))
    (sol,) = sp.linsolve(eqs, [a, b])
    return G.subs({a: sol[0], b: sol[1]}), (v1, v2, w1, w2, c)


def derive():
    """The observed flow, the Fisher metric, the family G_lambda, the constructed metric, and the counting."""
    g, lam, v, u = _model()
    G_lam = _family(g, lam, u)
    constructed = sg.gradient_metric(sg.GradientFlow(g.cost, g.fisher), g.cost)
    general, _ = _general_solution()
    out = {
        "cost C(mu, sigma)": g.cost.components(),
        "observed flow v = d(mu, sigma)/dt (the Fisher flow)": v,
        "Fisher metric F": g.fisher.components(g.std),
        "u = (-v_2, v_1), with u u^T v = 0": u,
        "G_lambda = F + lambda u u^T": G_lam.components(),
        "flow of G_lambda": sg.GradientFlow(g.cost, G_lam).components(g.std),
        "metric constructed by gradient_metric(v, C)": constructed.components(),
        "flow of the constructed metric": sg.GradientFlow(g.cost, constructed).components(g.std),
        "Euclidean flow (a metric outside the family)": sg.GradientFlow(g.cost, sg.euclidean(g.std)).components(),
        "every symmetric G with G v = -w in 2-D (g22 free)": general,
    }
    for n in DIMENSIONS:
        out[f"rank of S -> S v on symmetric {n} x {n} matrices"] = sp.Integer(_rank_of_constraint(n))
    return out


def checks(results):
    """The statements this derivation supports, as ``{statement: passed}``."""
    g, lam, v, u = _model()
    F = g.fisher.components(g.std)
    G_lam = results["G_lambda = F + lambda u u^T"]
    constructed = results["metric constructed by gradient_metric(v, C)"]
    zero = lambda m: all(sp.cancel(e) == 0 for e in sp.Matrix(m))  # noqa: E731
    # the determinant lemma: det(F + lambda u u^T) = det F (1 + lambda u^T F^{-1} u), with F^{-1} diagonal positive
    Finv = F.inv()
    lemma = sp.cancel(G_lam.det() - F.det() * (1 + lam * (u.T * Finv * u)[0, 0])) == 0
    finv_positive = Finv.is_diagonal() and all(e.is_positive for e in Finv.diagonal())
    member = _family(g, LAMBDA, u)
    member_flow = sg.GradientFlow(g.cost, member).components(g.std)
    # the 2-D general solution: g22 is free, and two solutions differ by a multiple of u u^T
    general = results["every symmetric G with G v = -w in 2-D (g22 free)"]
    v1, v2, w1, w2, g22 = _general_solution()[1]
    gen_u = sp.Matrix([-v2, v1])
    diff = general - general.subs(g22, 0)
    gen_ok = zero(general * sp.Matrix([v1, v2]) + sp.Matrix([w1, w2])) and zero(diff - g22 / v1**2 * gen_u * gen_u.T)
    ranks = {n: int(results[f"rank of S -> S v on symmetric {n} x {n} matrices"]) for n in DIMENSIONS}
    return {
        "u u^T annihilates the observed flow: u u^T v = 0 exactly": zero(u * u.T * v),
        "the flow of G_lambda = F + lambda u u^T equals the observed (Fisher) flow exactly, for every lambda": zero(
            results["flow of G_lambda"] - v
        ),
        f"the member lambda = {LAMBDA} is accepted as a metric and its flow equals the observed flow exactly": (
            member.checked != "skipped" and zero(member_flow - v)
        ),
        "G_lambda is positive definite for every lambda > 0 (determinant lemma, F^{-1} diagonal positive)": bool(
            lemma and finv_positive and sp.cancel(G_lam[0, 0] - F[0, 0] - lam * u[0] ** 2) == 0
        ),
        "the metric constructed by gradient_metric from v and C alone has the same flow exactly": zero(
            results["flow of the constructed metric"] - v
        ),
        "F, G_lambda and the constructed metric are three different metrics": not zero(G_lam - F)
        and not zero(constructed - F)
        and not zero(constructed - G_lam.subs(lam, LAMBDA)),
        "the Euclidean metric, outside the family, gives a different flow": not zero(
            results["Euclidean flow (a metric outside the family)"] - v
        ),
        "in 2-D every symmetric solution of G v = -w is one of them plus c u u^T (one free function)": gen_ok,
        "S -> S v has rank n, so n(n+1)/2 - n = n(n-1)/2 functions stay free (n = 2..5)": all(
            r == n for n, r in ranks.items()
        ),
    }


def notes(results):
    """The counting argument, and the values the figure assumes."""
    rows = []
    for n in DIMENSIONS:
        r = int(results[f"rank of S -> S v on symmetric {n} x {n} matrices"])
        rows.append(f"| {n} | {n * (n + 1) // 2} | {r} | {n * (n + 1) // 2 - r} |")
    return "\n".join(
        [
            "### Counting equations and unknowns",
            "",
            "An observed rule $\\dot x = v(x)$ that is the gradient flow of a known cost $C$ "
            "under an unknown metric $G$ gives, at each point, the $n$ linear equations "
            "$G v = -dC$. A symmetric $G$ has $n(n+1)/2$ entries. Where $v \\neq 0$ the map "
            "$S \\mapsto S v$ on symmetric matrices has rank $n$ (checked below for a symbolic $v$), "
            "so the metrics that produce the same flow form an affine family with "
            "$n(n-1)/2$ free functions, cut down only by the requirement that $G$ be positive definite.",
            "",
            "| dimension n | unknown functions n(n+1)/2 | independent equations | free functions |",
            "|---|---|---|---|",
            *rows,
            "",
            "### The example",
            "",
            "The cost is the paper's Gaussian KL cost with target $N(4, 2^2)$; the observed flow is "
            "its Fisher flow in $(\\mu, \\sigma)$. The family $G_\\lambda = F + \\lambda u u^T$ with "
            "$u = (-v_2, v_1)$ and the value $\\lambda = 1/2$ drawn in the figure are our choices of "
            "illustration. In two dimensions the family $F + c(x) u u^T$, with $c$ any function "
            "keeping it positive definite, is every metric with this flow; "
            "`gradient_metric` constructs one member, "
            "$G = -dC\\, dC^T/dC(v) + I - v v^T/|v|^2$.",
            "",
            "- A single trajectory or flow field therefore cannot reveal the metric; observations of "
            "several flows (several costs, or perturbations) under the same metric are needed "
            "(Claim 5).",
            "- Positive definiteness of $G_\\lambda$: $\\det G_\\lambda = \\det F\\,(1 + \\lambda u^T F^{-1} u)$ "
            "with $F^{-1} = \\mathrm{diag}(\\sigma^2, \\sigma^2/2)$, and $(G_\\lambda)_{11} > 0$.",
        ]
    )


def _ellipse(G, center, radius):
    """Points of {center + d : d^T G d = radius^2}, shape (100, 2)."""
    vals, vecs = np.linalg.eigh(G)
    t = np.linspace(0, 2 * np.pi, 100)
    circle = np.stack([np.cos(t), np.sin(t)])
    return (center[:, None] + radius * vecs @ (circle / np.sqrt(vals)[:, None])).T


def figure(results):
    """The common flow field with the unit balls of three metrics, and trajectories under each."""
    from matplotlib.figure import Figure

    g, lam, v, u = _model()
    metrics = {
        "Fisher $F$": (g.fisher, "C0"),
        # both were checked positive definite when built in derive() and checks()
        f"$F + {sp.latex(LAMBDA)}\\, u u^T$": (_family(g, LAMBDA, u, check=False), "C1"),
        "gradient_metric$(v, C)$": (
            sg.Metric(g.manifold, g.std, results["metric constructed by gradient_metric(v, C)"], check=False),
            "C2",
        ),
    }
    fig = Figure(figsize=(11.0, 4.8), layout="constrained")
    ax, bx = fig.subplots(1, 2)
    mu_r, sig_r = (0.0, 8.0), (0.5, 5.0)
    M, S = np.meshgrid(np.linspace(*mu_r, 40), np.linspace(*sig_r, 40))
    field = sp.lambdify([g.mu, g.sigma], list(v), "numpy")
    U, V = (np.broadcast_to(c, M.shape) for c in field(M, S))
    ax.streamplot(M, S, U, V, color="0.75", density=0.9, linewidth=0.7, arrowsize=0.7)
    cost = sp.lambdify([g.mu, g.sigma], g.cost.components(), "numpy")(M, S)
    bx.contour(M, S, cost, levels=np.quantile(cost, np.linspace(0.02, 0.9, 12)), colors="0.75", linewidths=0.7)
    for a in (ax, bx):
        a.plot([4], [2], "k*", markersize=9)
        a.set(xlim=mu_r, ylim=sig_r, xlabel=r"$\mu$", ylabel=r"$\sigma$")
    points = [(1.0, 1.0), (1.5, 4.2), (6.5, 4.2), (7.0, 1.2), (4.0, 4.0), (1.8, 2.6), (6.2, 2.6)]
    for label, (metric, color) in metrics.items():
        Gf = sp.lambdify([g.mu, g.sigma], metric.components(g.std), "numpy")
        for k, p in enumerate(points):
            e = _ellipse(np.asarray(Gf(*p), dtype=float), np.asarray(p), RADIUS)
            ax.plot(e[:, 0], e[:, 1], color=color, linewidth=1.3, label=label if k == 0 else None)
    ax.set_title(f"one flow, three metrics: their balls of radius {RADIUS}")
    ax.legend(loc="lower center", fontsize=8)
    starts = np.array([[0.5, 0.8], [7.5, 4.5], [1.0, 4.5]])
    styles = {"Fisher $F$": "-", f"$F + {sp.latex(LAMBDA)}\\, u u^T$": "--", "gradient_metric$(v, C)$": ":"}
    for label, (metric, color) in metrics.items():
        sol = sg.GradientFlow(g.cost, metric).numeric(g.std).integrate(starts, (0, 8), t_eval=np.linspace(0, 8, 300))
        for k, path in enumerate(sol.y):
            bx.plot(path[:, 0], path[:, 1], styles[label], color=color, linewidth=2.0, label=label if k == 0 else None)
    euclid = sg.GradientFlow(g.cost, sg.euclidean(g.std)).numeric(g.std)
    sol = euclid.integrate(starts, (0, 8), t_eval=np.linspace(0, 8, 300))
    for k, path in enumerate(sol.y):
        bx.plot(path[:, 0], path[:, 1], color="0.3", linewidth=1.0, label="Euclidean (different)" if k == 0 else None)
    bx.set_title("trajectories (over cost contours): the three metrics coincide")
    bx.legend(loc="upper center", fontsize=8)
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("metric_underdetermined", "Claim 4: one observed flow does not fix the metric", derive)
