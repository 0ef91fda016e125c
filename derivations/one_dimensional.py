r"""The one-dimensional example: :math:`C(x) = (x - 1)^2` in the charts :math:`x` and :math:`\tilde x = \sqrt{x}`.

The naive flows (Euclidean in each chart) are different vector fields: the one
of :math:`x` seen in :math:`\tilde x` is :math:`\eta(1/\tilde x - \tilde x)`,
not :math:`-4\eta\tilde x(\tilde x^2 - 1)`.  From :math:`\tilde x(0) = \sqrt 2`
the naive flow of :math:`\tilde x` solves to
:math:`\tilde x(t) = 1/\sqrt{1 - e^{-8\eta t}/2}`, so that
:math:`x(t) = \tilde x(t)^2 = 1/(1 - e^{-8\eta t}/2)`, while the naive flow of
:math:`x` gives :math:`x(t) = 1 + e^{-2\eta t}`.
"""

import sympy as sp

import symgrad as sg


def _naive_flows(ex):
    naive_x = sg.GradientFlow(ex.cost, sg.euclidean(ex.X), rate=ex.eta)
    naive_xt = sg.GradientFlow(ex.cost, sg.euclidean(ex.Xt), rate=ex.eta)
    return naive_x, naive_xt


def _dsolve_sqrt_chart(ex, rhs):
    """The naive flow of the sqrt chart, ``rhs(xt)``, solved by ``dsolve`` directly from xt(0) = sqrt(2).

    ``dsolve`` (as a Bernoulli equation, its quickest route here) gives the
    general solution's two branches; the constant is solved from the initial
    condition (quicker than ``dsolve(..., ics=...)``, with the same result)
    and the branch that meets it is returned.
    """
    xt_of_t, C1 = sp.Function("xt"), sp.Symbol("C1")
    ode = sp.Eq(xt_of_t(ex.t).diff(ex.t), rhs.subs(ex.xt, xt_of_t(ex.t)))
    (solution,) = [
        branch.rhs.subs(C1, c)
        for branch in sp.dsolve(ode, xt_of_t(ex.t), hint="Bernoulli")
        for c in sp.solve(sp.Eq(branch.rhs.subs(ex.t, 0), sp.sqrt(2)), C1)
    ]
    return solution


def _canonical_sqrt_chart(ex, rhs):
    r"""The naive flow of the sqrt chart solved through :math:`w = 1/\tilde x^2`, in its simplest form.

    For :math:`w = \tilde x^{-2}`, :math:`\dot w = -2 \tilde x^{-3} \dot{\tilde x}`
    is linear in :math:`w`; its solution from :math:`w(0) = 1/2` is
    :math:`1 - e^{-8\eta t}/2`, and :math:`\tilde x = w^{-1/2}` (:math:`\tilde x > 0`).
    """
    w, w_of_t = sp.Symbol("w", positive=True), sp.Function("w")
    w_rhs = sp.cancel((-2 * rhs / ex.xt**3).subs(ex.xt, 1 / sp.sqrt(w)))
    ode = sp.Eq(w_of_t(ex.t).diff(ex.t), w_rhs.subs(w, w_of_t(ex.t)))
    w_t = sp.dsolve(ode, w_of_t(ex.t), ics={w_of_t(0): sp.Rational(1, 2)}).rhs
    return 1 / sp.sqrt(w_t), 1 / w_t


def in_growth(expr, eta, t):
    r"""``expr`` with every :math:`e^{k\eta t}` written as :math:`(1 + y)^{k/8}`, :math:`y = e^{8\eta t} - 1 \ge 0`.

    For :math:`\eta > 0` and :math:`t \ge 0` the substitution is exact and tells
    sympy the sign of :math:`e^{8\eta t} - 1/2`, so that square roots of
    expressions in :math:`e^{8\eta t}` compare exactly.

    Parameters
    ----------
    expr : sympy expression
        An expression in ``eta`` and ``t`` whose exponentials are :math:`e^{k\eta t}`.
    eta, t : sympy Symbol

    Returns
    -------
    sympy expression
        ``expr`` in the nonnegative symbol ``y``.
    """
    y = sp.Symbol("y", nonnegative=True)
    return expr.replace(sp.exp, lambda arg: (1 + y) ** sp.cancel(arg / (8 * eta * t)))


def derive():
    """Closed forms of the one-dimensional example."""
    ex = sg.catalog.one_dimensional()
    t = ex.t
    naive_x, naive_xt = _naive_flows(ex)
    x_of_t = sp.Function("x")
    sol_x = sp.dsolve(
        sp.Eq(x_of_t(t).diff(t), naive_x.components(ex.X)[0].subs(ex.x, x_of_t(t))), x_of_t(t), ics={x_of_t(0): 2}
    )
    xt_t, xt_t_squared = _canonical_sqrt_chart(ex, naive_xt.components(ex.Xt)[0])
    return {
        "naive flow in x": naive_x.components(ex.X)[0],
        "naive flow in sqrt chart": naive_xt.components(ex.Xt)[0],
        "naive x flow seen in sqrt chart": naive_x.components(ex.Xt)[0],
        "naive sqrt flow seen in x": naive_xt.components(ex.X)[0],
        "x(t), naive in x, x(0) = 2": sol_x.rhs,
        "xt(t), naive in sqrt chart, xt(0) = sqrt(2)": xt_t,
        "xt(t)^2, naive in sqrt chart, xt(0)^2 = 2": xt_t_squared,
    }


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    ex = sg.catalog.one_dimensional()
    eta, t, x, xt = ex.eta, ex.t, ex.x, ex.xt
    pushed = results["naive x flow seen in sqrt chart"]
    own = results["naive flow in sqrt chart"]
    x_t = results["x(t), naive in x, x(0) = 2"]
    xt_t = results["xt(t), naive in sqrt chart, xt(0) = sqrt(2)"]
    xt_t2 = results["xt(t)^2, naive in sqrt chart, xt(0)^2 = 2"]
    by_dsolve = _dsolve_sqrt_chart(ex, own)
    return {
        "the naive flows of x and sqrt(x) are different vector fields": sp.cancel(pushed - own) != 0,
        "x(t) solves the naive flow in x": sp.simplify(sp.diff(x_t, t) - results["naive flow in x"].subs(x, x_t)) == 0,
        "the naive x flow seen in sqrt(x) is eta (1/xt - xt)": sp.cancel(pushed - eta * (1 / xt - xt)) == 0,
        "xt(t) = 1/sqrt(1 - exp(-8 eta t)/2) solves the naive flow in sqrt(x) from xt(0) = sqrt(2)": (
            sp.simplify(sp.diff(xt_t, t) - own.subs(xt, xt_t)) == 0
            and sp.simplify(xt_t - 1 / sp.sqrt(1 - sp.exp(-8 * eta * t) / 2)) == 0
            and xt_t.subs(t, 0) == sp.sqrt(2)
        ),
        "xt(t) equals the solution dsolve finds for the naive flow in sqrt(x)": sp.simplify(
            in_growth(xt_t - by_dsolve, eta, t)
        )
        == 0,
        "xt(t)^2 = 1/(1 - exp(-8 eta t)/2) is x(t) under the naive sqrt flow seen in x, from x(0) = 2": (
            sp.cancel(xt_t2 - xt_t**2) == 0
            and sp.simplify(xt_t2 - 1 / (1 - sp.exp(-8 * eta * t) / 2)) == 0
            and sp.simplify(sp.diff(xt_t2, t) - results["naive sqrt flow seen in x"].subs(x, xt_t2)) == 0
            and xt_t2.subs(t, 0) == 2
        ),
    }


def figure(results):
    """x(t) under the naive flow of each chart, from x(0) = 2 (eta = 1)."""
    import numpy as np
    from matplotlib.figure import Figure

    ex = sg.catalog.one_dimensional()
    eta = ex.eta
    fig = Figure(figsize=(8, 3.4), layout="constrained")
    ax_cost, ax_t = fig.subplots(1, 2)
    xs = np.linspace(0.05, 2.5, 200)
    ax_cost.plot(xs, (xs - 1) ** 2, color="k")
    ax_cost.set(xlabel="$x$", ylabel="$C(x)$", title="cost $C(x) = (x - 1)^2$")
    ts = np.linspace(0, 1.5, 200)
    naive_x, naive_xt = _naive_flows(ex)
    sol_x = naive_x.numeric(ex.X, params={eta: 1}).integrate(np.array([2.0]), (0, 1.5), t_eval=ts)
    sol_xt = naive_xt.numeric(ex.Xt, params={eta: 1}).integrate(np.array([np.sqrt(2.0)]), (0, 1.5), t_eval=ts)
    ax_t.plot(sol_x.t, sol_x.y[:, 0], label=r"naive in $x$")
    ax_t.plot(sol_xt.t, sol_xt.y[:, 0] ** 2, label=r"naive in $\tilde x = \sqrt{x}$")
    ax_t.plot(ts, 1 + np.exp(-2 * ts), "k:", label=r"$1 + e^{-2\eta t}$")
    ax_t.plot(ts, 1 / (1 - np.exp(-8 * ts) / 2), "k--", lw=0.8, label=r"$1/(1 - e^{-8\eta t}/2)$")
    ax_t.set(xlabel="$t$", ylabel="$x(t)$", title=r"same cost, two flows ($\eta = 1$)")
    ax_t.legend()
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("one_dimensional", "The one-dimensional example", derive)
