r"""Claim 2: the discrete update (Eq 1) is chart independent only to first order in :math:`\eta`.

Eq 1, :math:`x_{k+1} = x_k - \eta\, G^{-1}(x_k)\, dC(x_k)`, is one Euler step of
the gradient flow.  With the Fisher metric on the Gaussian KL example
(target :math:`N(4, 2^2)`), one step taken in the chart :math:`(\mu, \sigma)`
and one taken from the same point in :math:`(\mu, s = \sigma^2)`, then mapped
back to :math:`(\mu, \sigma)`, differ by :math:`\eta^2 c(x) + O(\eta^3)`: the
steps agree to first order, as both follow the same vector field, and the
leading discrepancy is the second derivative of the transition map applied
twice to the step,
:math:`c^i = \tfrac12\, \partial^2 x^i/\partial y^j \partial y^k\, w^j w^k`
with :math:`w` the flow in the chart :math:`y`.  Here
:math:`c = (0, -v_\sigma^2/(2\sigma))` with :math:`v_\sigma` the :math:`\sigma`
component of the flow.  After :math:`K = T/\eta` steps to a fixed time
:math:`T` the two iterations differ by :math:`O(\eta)`.
"""

import functools

import numpy as np
import sympy as sp

import symgrad as sg

#: The starting point (mu, sigma) of the numeric measurements and the time T of the iterations.
START = (3.0, 1.5)
T_END = 1.0
#: Numbers of steps K to reach T_END; the rates are eta = T_END / K (10^-1 ... 10^-4).
STEPS = (10, 30, 100, 300, 1000, 3000, 10000)

ETA = sp.Symbol("eta", positive=True)


@functools.lru_cache(maxsize=1)
def _setup():
    """The Gaussian KL example, both charts' coordinates, the transition maps and the Fisher flow (rate 1) in each."""
    g = sg.catalog.gaussian_kl()
    X, Y = sp.Matrix(g.std.coords), sp.Matrix(g.variance.coords)
    to_y = sp.Matrix(g.manifold.transition_map(g.std, g.variance).forward)
    to_x = sp.Matrix(g.manifold.transition_map(g.variance, g.std).forward)
    v_x = sg.GradientFlow(g.cost, g.fisher, rate=1).components(g.std)
    v_y = sg.GradientFlow(g.cost, g.fisher, rate=1, chart=g.variance).components(g.variance)
    return g, X, Y, to_y, to_x, v_x, v_y


def leading_coefficient(to_x, Y, w):
    r"""The :math:`\eta^2` term of :math:`x(y + \eta w) - x(y) - \eta\, Dx(y)\, w`: :math:`\tfrac12 D^2x(y)[w, w]`.

    Parameters
    ----------
    to_x : sympy Matrix, shape (dim, 1)
        The transition map :math:`x(y)`.
    Y : sympy Matrix, shape (dim, 1)
        The coordinates :math:`y`.
    w : sympy Matrix, shape (dim, 1)
        The step direction in the chart :math:`y`.

    Returns
    -------
    sympy Matrix, shape (dim, 1)
        In the coordinates :math:`y`.
    """
    return sp.Matrix([(w.T * sp.hessian(xi, list(Y)) * w)[0, 0] / 2 for xi in to_x])


def derive():
    """One step of Eq 1 in (mu, sigma) and in (mu, s), their discrepancy and its eta^2 coefficient."""
    g, X, Y, to_y, to_x, v_x, v_y = _setup()
    step_x = X + ETA * v_x
    step_y = Y + ETA * v_y
    at_x = dict(zip(Y, to_y))
    step_y_in_x = to_x.subs(dict(zip(Y, step_y.subs(at_x))), simultaneous=True)
    discrepancy = step_y_in_x - step_x
    series = discrepancy.applyfunc(lambda e: sp.series(e, ETA, 0, 3).removeO())
    return {
        "Fisher flow, rate 1, in (mu, sigma)": v_x,
        "Fisher flow, rate 1, in (mu, s)": v_y,
        "one step of Eq 1 in (mu, sigma)": step_x,
        "one step of Eq 1 in (mu, s), mapped to (mu, sigma)": step_y_in_x,
        "discrepancy: step in (mu, s) minus step in (mu, sigma)": discrepancy,
        "discrepancy to order eta^2": series.applyfunc(lambda e: sp.factor(sp.cancel(e))),
        "eta^2 coefficient of the discrepancy": series.applyfunc(lambda e: sp.factor(sp.cancel(e.coeff(ETA, 2)))),
    }


@functools.lru_cache(maxsize=1)
def _steps():
    """One step of Eq 1 in each chart, ``(x, eta) -> x + eta v(x)``, and the two transition maps, as functions."""
    g, X, Y, to_y, to_x, v_x, v_y = _setup()
    step_x = sp.lambdify([*X, ETA], list(X + ETA * v_x), "math")
    step_y = sp.lambdify([*Y, ETA], list(Y + ETA * v_y), "math")
    return step_x, step_y, sp.lambdify(list(Y), list(to_x), "math"), sp.lambdify(list(X), list(to_y), "math")


@functools.lru_cache(maxsize=1)
def _measure():
    """Discrepancies after one step and after K = T/eta steps from START, for eta = T/K, K in STEPS."""
    step_x, step_y, x_of_y, y_of_x = _steps()
    etas = T_END / np.array(STEPS, dtype=float)
    one, many = [], []
    for K, eta in zip(STEPS, etas):
        a = step_x(*START, eta)
        b = x_of_y(*step_y(*y_of_x(*START), eta))
        one.append(np.hypot(a[0] - b[0], a[1] - b[1]))
        a, b = list(START), y_of_x(*START)
        for _ in range(K):
            a, b = step_x(*a, eta), step_y(*b, eta)
        b = x_of_y(*b)
        many.append(np.hypot(a[0] - b[0], a[1] - b[1]))
    return etas, np.array(one), np.array(many)


def _slope(etas, values):
    return float(np.polyfit(np.log(etas), np.log(values), 1)[0])


def checks(results):
    """The statements of claim 2, as ``{statement: passed}``."""
    g, X, Y, to_y, to_x, v_x, v_y = _setup()
    mu, sigma = g.mu, g.sigma
    c = results["eta^2 coefficient of the discrepancy"]
    discrepancy = results["discrepancy: step in (mu, s) minus step in (mu, sigma)"]
    low = discrepancy.applyfunc(lambda e: sp.series(e, ETA, 0, 2).removeO())
    from_map = leading_coefficient(to_x, Y, v_y).subs(dict(zip(Y, to_y)))
    K = to_y.jacobian(X)
    second = sp.Matrix([(v_x.T * sp.hessian(yi, list(X)) * v_x)[0, 0] for yi in to_y])
    from_forward_map = -K.LUsolve(second) / 2
    hand = sp.Matrix([0, -(((mu - 4) ** 2 + 4 - sigma**2) ** 2) / (8 * sigma**3)])
    etas, one, many = _measure()
    c_start = float(c[1].subs({mu: START[0], sigma: START[1]}))
    return {
        "the two steps agree to first order: the discrepancy has no eta^0 or eta^1 term": all(
            sp.cancel(e) == 0 for e in low
        ),
        "its eta^2 coefficient is (1/2) d^2x/dy^2 [w, w], the second derivative of the transition map x(y) "
        "applied to the step w in (mu, s)": all(sp.cancel(e) == 0 for e in c - from_map),
        "... equivalently -(1/2) (dy/dx)^{-1} d^2y/dx^2 [v, v], with the step v in (mu, sigma)": all(
            sp.cancel(e) == 0 for e in c - from_forward_map
        ),
        "the eta^2 coefficient is (0, -v_sigma^2/(2 sigma)) = (0, -((mu-4)^2 + 4 - sigma^2)^2/(8 sigma^3)), not "
        "identically zero: the update is not chart independent to second order": all(
            sp.cancel(e) == 0 for e in c - hand
        )
        and all(sp.cancel(e) == 0 for e in c - sp.Matrix([0, -(v_x[1] ** 2) / (2 * sigma)]))
        and c[1] != 0,
        f"measured from {START}: the one-step discrepancy has log-log slope 2 within 0.05 "
        f"(eta = {etas[0]:g} ... {etas[-1]:g})": abs(_slope(etas, one) - 2) < 0.05,
        "the one-step discrepancy over eta^2 tends to the eta^2 coefficient (to 1e-3 at the smallest eta)": abs(
            one[-1] / etas[-1] ** 2 - abs(c_start)
        )
        < 1e-3 * abs(c_start),
        f"after K = T/eta steps to T = {T_END:g} the discrepancy has log-log slope 1 within 0.05: "
        "O(eta), as the global error of each iteration": abs(_slope(etas, many) - 1) < 0.05,
    }


def figure(results):
    """Log-log discrepancies after one step and after T/eta steps, with slope-2 and slope-1 references."""
    from matplotlib.figure import Figure

    g = _setup()[0]
    etas, one, many = _measure()
    c_start = abs(float(results["eta^2 coefficient of the discrepancy"][1].subs({g.mu: START[0], g.sigma: START[1]})))
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    ax, ax_path = fig.subplots(1, 2)
    ax.loglog(etas, one, "o", color="C0", label="after one step")
    ax.loglog(etas, c_start * etas**2, "-", color="C0", lw=0.8, label=r"$|c(x_0)|\,\eta^2$ (the $\eta^2$ term)")
    ax.loglog(etas, many, "s", color="C3", label=rf"after $K = T/\eta$ steps, $T = {T_END:g}$")
    ax.loglog(etas, one[-1] * (etas / etas[-1]) ** 2 / 3, "k--", lw=0.8, label="slope 2")
    ax.loglog(etas, many[-1] * (etas / etas[-1]) * 3, "k:", lw=0.8, label="slope 1")
    ax.set(
        xlabel=r"$\eta$",
        ylabel=r"distance in $(\mu, \sigma)$",
        title=r"Eq 1 in $(\mu, \sigma)$ vs in $(\mu, \sigma^2)$, Fisher metric",
    )
    ax.legend(fontsize=8)

    eta = 0.25
    step_x, step_y, x_of_y, y_of_x = _steps()
    a, b = [list(START)], [list(y_of_x(*START))]
    for _ in range(12):
        a.append(step_x(*a[-1], eta))
        b.append(step_y(*b[-1], eta))
    a, b = np.array(a), np.array([x_of_y(*p) for p in b])
    flow = sg.GradientFlow(g.cost, g.fisher).numeric(g.std)
    sol = flow.integrate(np.array(START), (0.0, 12 * eta), t_eval=np.linspace(0, 12 * eta, 200), rtol=1e-9)
    ax_path.plot(sol.y[:, 0], sol.y[:, 1], color="0.6", lw=4, label="Fisher flow")
    ax_path.plot(*a.T, "o-", color="C0", ms=4, label=r"Eq 1 in $(\mu, \sigma)$")
    ax_path.plot(*b.T, "s--", color="C1", ms=4, label=r"Eq 1 in $(\mu, \sigma^2)$, mapped")
    ax_path.plot([4.0], [2.0], "k*", ms=10)
    ax_path.set(xlabel=r"$\mu$", ylabel=r"$\sigma$", title=rf"iterations with $\eta = {eta:g}$ from ${START}$")
    ax_path.legend(fontsize=8)
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("discrete_update", "Claim 2: the discrete update is chart independent to first order", derive)
