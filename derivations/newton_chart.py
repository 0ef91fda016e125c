r"""Claim 1: Newton's method in coordinates depends on the chart; the Riemannian Newton flow does not.

On the Gaussian KL example, :math:`C = KL(N(4, 2^2) \,\|\, N(\mu, \sigma^2))`,
in the charts :math:`(\mu, \sigma)`, :math:`(\mu, s = \sigma^2)` and
:math:`(\mu, \tau = 1/\sigma^2)`.  The coordinate Newton flow of a chart,
:math:`\dot x = -H^{-1} \partial C` with :math:`H` the matrix of second partial
derivatives in that chart, is the Riemannian Newton flow of the chart's
Euclidean metric: three charts give three different vector fields.  The
Riemannian Newton flow :math:`\dot x = -(\mathrm{Hess}\, C)^{-1} dC` of one
metric (here Fisher), with the covariant Hessian of its Levi-Civita
connection, is one vector field, whichever chart it is computed in.  All of
them vanish at the minimum with linearisation :math:`-I` there: they differ
away from it.
"""

import functools

import numpy as np
import sympy as sp

import symgrad as sg

#: Starting points (mu, sigma) of the trajectories: near the minimum (4, 2), where
#: the coordinate Hessians of the three charts are positive definite.
STARTS = ((3.0, 1.6), (5.0, 2.6), (4.6, 1.2), (3.3, 2.6))
T_END = 12.0


def _charts(g):
    return {"(mu, sigma)": g.std, "(mu, s)": g.variance, "(mu, tau)": g.precision}


def coordinate_newton(cost, chart):
    r"""The coordinate Newton flow :math:`-H^{-1} \partial C` of a chart, as a Vector.

    Parameters
    ----------
    cost : Scalar
    chart : Chart
        The chart whose partial derivatives define :math:`H` and :math:`\partial C`.

    Returns
    -------
    Vector
        Given in ``chart``; its components in another chart follow the vector rule.
    """
    C = cost.components(chart)
    H = sp.hessian(C, chart.coords)
    dC = sp.Matrix([sp.diff(C, c) for c in chart.coords])
    return sg.Vector(cost.manifold, chart, _canonical(-H.LUsolve(dC)))


def _canonical(m):
    """Entrywise ``factor(cancel(.))``: one printed form per rational function, whatever chart it came from."""
    return sp.ImmutableMatrix(m).applyfunc(lambda e: sp.factor(sp.cancel(e)))


@functools.lru_cache(maxsize=1)
def _flows():
    """The example and ``{chart label: (chart, coordinate Newton flow, Fisher Newton flow computed in it)}``."""
    g = sg.catalog.gaussian_kl()
    flows = {
        label: (chart, coordinate_newton(g.cost, chart), sg.newton_flow(g.cost, g.fisher, chart=chart))
        for label, chart in _charts(g).items()
    }
    return g, flows


def derive():
    """The coordinate Newton flows of three charts and the Fisher Newton flow computed in each, in (mu, sigma)."""
    g, flows = _flows()
    out = {"cost": g.cost.components(g.std)}
    for label, (chart, coordinate, _) in flows.items():
        out[f"coordinate Newton flow of {label}, in {label}"] = coordinate.components(chart)
    for label, (_, coordinate, _) in list(flows.items())[1:]:
        out[f"coordinate Newton flow of {label}, carried to (mu, sigma)"] = _canonical(coordinate.components(g.std))
    for label, (_, _, riemannian) in flows.items():
        out[f"Riemannian Newton flow (Fisher) computed in {label}, carried to (mu, sigma)"] = _canonical(
            riemannian.components(g.std)
        )
    return out


def _to_std(g, chart):
    """A numpy function mapping points of ``chart`` to (mu, sigma)."""
    if chart is g.std:
        return lambda y: y
    T = g.manifold.transition_map(chart, g.std)
    f = sp.lambdify(chart.coords, list(T.forward), "numpy")
    return lambda y: np.stack(np.broadcast_arrays(*f(*y.T)), axis=-1)


def _from_std(g, chart):
    if chart is g.std:
        return lambda x: np.asarray(x, dtype=float)
    T = g.manifold.transition_map(g.std, chart)
    f = sp.lambdify(g.std.coords, list(T.forward), "numpy")
    return lambda x: np.array(f(*x), dtype=float)


def _integrate(g, vector, chart, start, ts):
    """A trajectory of ``vector`` integrated in ``chart`` from ``start`` (in (mu, sigma)), returned in (mu, sigma)."""
    x0 = _from_std(g, chart)(start)
    sol = vector.numeric(chart).integrate(x0, (ts[0], ts[-1]), t_eval=ts, rtol=1e-10, atol=1e-12)
    if sol.status != 0:
        raise RuntimeError(f"the Newton flow in chart {chart.name!r} from {start} did not integrate: {sol.message}")
    return _to_std(g, chart)(sol.y)


@functools.lru_cache(maxsize=1)
def _trajectories():
    """``{(kind, chart label): [trajectory per start]}``, every trajectory in (mu, sigma)."""
    g, flows = _flows()
    ts = np.linspace(0.0, T_END, 241)
    out = {}
    for label, (chart, coordinate, riemannian) in flows.items():
        out["coordinate", label] = [_integrate(g, coordinate, chart, s, ts) for s in STARTS]
        out["Riemannian", label] = [_integrate(g, riemannian, chart, s, ts) for s in STARTS]
    return out


def checks(results):
    """The statements of claim 1, as ``{statement: passed}``."""
    g = sg.catalog.gaussian_kl()
    mu, sigma = g.mu, g.sigma
    labels = list(_charts(g))
    coord = {labels[0]: results[f"coordinate Newton flow of {labels[0]}, in {labels[0]}"]}
    coord.update({k: results[f"coordinate Newton flow of {k}, carried to (mu, sigma)"] for k in labels[1:]})
    riem = {k: results[f"Riemannian Newton flow (Fisher) computed in {k}, carried to (mu, sigma)"] for k in labels}

    def equal(a, b):
        return all(sp.cancel(e) == 0 for e in sp.Matrix(a) - sp.Matrix(b))

    euclidean_newton = all(
        equal(
            results[f"coordinate Newton flow of {k}, in {k}"],
            sg.newton_flow(g.cost, sg.euclidean(c), chart=c).components(c),
        )
        for k, c in _charts(g).items()
    )
    at_min = {mu: 4, sigma: 2}
    flows = list(coord.values()) + list(riem.values())
    fixed = all(sp.Matrix(v).subs(at_min) == sp.zeros(2, 1) for v in flows)
    linear = all(sp.Matrix(v).jacobian([mu, sigma]).subs(at_min).applyfunc(sp.simplify) == -sp.eye(2) for v in flows)
    tr = _trajectories()
    riem_spread = max(
        float(np.max(np.abs(a - b)))
        for k in labels[1:]
        for a, b in zip(tr["Riemannian", labels[0]], tr["Riemannian", k])
    )
    coord_spread = min(
        max(float(np.max(np.abs(a - b))) for a, b in zip(tr["coordinate", k1], tr["coordinate", k2]))
        for i, k1 in enumerate(labels)
        for k2 in labels[i + 1 :]
    )
    ends = [traj[-1] for trajs in tr.values() for traj in trajs]
    return {
        "the coordinate Newton flow of each chart is the Riemannian Newton flow of that chart's Euclidean metric": (
            euclidean_newton
        ),
        "the coordinate Newton flows of (mu, sigma), (mu, s), (mu, tau), carried to one chart, are three "
        "different vector fields": all(
            not equal(coord[a], coord[b]) for i, a in enumerate(labels) for b in labels[i + 1 :]
        ),
        "the Riemannian Newton flow of the Fisher metric computed in the three charts is one vector field": all(
            equal(riem[labels[0]], riem[k]) for k in labels[1:]
        ),
        "the Fisher Newton flow differs from each coordinate Newton flow": all(
            not equal(riem[labels[0]], coord[k]) for k in labels
        ),
        "all these flows vanish at the minimum (4, 2), with linearisation -I there": fixed and linear,
        "integrated numerically in each chart, the Fisher Newton trajectories agree to 1e-6 in (mu, sigma)": (
            riem_spread < 1e-6
        ),
        "the coordinate Newton trajectories of any two charts part by more than 0.05": coord_spread > 0.05,
        f"every trajectory reaches the minimum (4, 2) to 1e-3 by t = {T_END:g}": all(
            np.allclose(e, [4.0, 2.0], atol=1e-3) for e in ends
        ),
    }


def figure(results):
    """Trajectories of the coordinate Newton flows of three charts and of the Fisher Newton flow, in (mu, sigma)."""
    from matplotlib.figure import Figure

    g = sg.catalog.gaussian_kl()
    tr = _trajectories()
    fig = Figure(figsize=(7.5, 5.2), layout="constrained")
    ax = fig.subplots()
    M, S = np.meshgrid(np.linspace(2.4, 5.6, 160), np.linspace(0.9, 3.0, 160))
    cost = sp.lambdify([g.mu, g.sigma], g.cost.components(g.std), "numpy")
    ax.contour(M, S, cost(M, S), levels=np.geomspace(0.005, 1.5, 10), colors="0.8", linewidths=0.7)
    mus = np.linspace(2.4, 5.6, 200)
    ax.plot(mus, np.sqrt(np.clip(12 - (mus - 4) ** 2, 0, None)), color="C0", lw=0.6, ls=":")
    ax.axhline(np.sqrt(8.0), color="C1", lw=0.6, ls=":")
    ax.plot(mus, np.sqrt(2.0) * np.abs(mus - 4), color="C2", lw=0.6, ls=":")
    styles = {"(mu, sigma)": ("C0", r"$(\mu, \sigma)$"), "(mu, s)": ("C1", r"$(\mu, \sigma^2)$")}
    styles["(mu, tau)"] = ("C2", r"$(\mu, 1/\sigma^2)$")
    for label, (color, tex) in styles.items():
        for i, traj in enumerate(tr["coordinate", label]):
            ax.plot(*traj.T, color=color, lw=1.4, label=f"coordinate Newton in {tex}" if i == 0 else None)
    # the three Fisher Newton flows drawn on top of each other: they coincide
    for label, (color, lw, ls) in zip(styles, (("k", 3.2, "-"), ("C3", 1.3, "--"), ("y", 1.3, ":"))):
        for i, traj in enumerate(tr["Riemannian", label]):
            ax.plot(
                *traj.T,
                color=color,
                lw=lw,
                ls=ls,
                label=f"Fisher Newton, computed in {styles[label][1]}" if i == 0 else None,
            )
    ax.plot(*np.array(STARTS).T, "ks", ms=5)
    ax.plot([4.0], [2.0], "k*", ms=11)
    ax.set(
        xlim=(2.4, 5.6),
        ylim=(0.9, 3.0),
        xlabel=r"$\mu$",
        ylabel=r"$\sigma$",
        title="Newton flows of the KL cost, drawn in $(\\mu, \\sigma)$\n"
        "(dotted: where each chart's coordinate Hessian is singular)",
    )
    ax.legend(fontsize=7.5, loc="lower left")
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("newton_chart", "Claim 1: Newton's method depends on the chart, its Riemannian flow does not", derive)
