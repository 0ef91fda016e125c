r"""The one-dimensional example: :math:`C(x) = (x - 1)^2` in the charts :math:`x` and :math:`\tilde x = \sqrt{x}`.

The naive flows (Euclidean in each chart) are different vector fields: the one
of :math:`x` seen in :math:`\tilde x` is :math:`\eta(1/\tilde x - \tilde x)`,
not :math:`-4\eta\tilde x(\tilde x^2 - 1)`.
"""

import sympy as sp

import symgrad as sg


def derive():
    """Closed forms of the one-dimensional example."""
    ex = sg.catalog.one_dimensional()
    eta, t = ex.eta, ex.t
    naive_x = sg.GradientFlow(ex.cost, sg.euclidean(ex.X), rate=eta)
    naive_xt = sg.GradientFlow(ex.cost, sg.euclidean(ex.Xt), rate=eta)
    x_of_t, xt_of_t = sp.Function("x"), sp.Function("xt")
    sol_x = sp.dsolve(
        sp.Eq(x_of_t(t).diff(t), naive_x.components(ex.X)[0].subs(ex.x, x_of_t(t))), x_of_t(t), ics={x_of_t(0): 2}
    )
    sol_xt = sp.dsolve(
        sp.Eq(xt_of_t(t).diff(t), naive_xt.components(ex.Xt)[0].subs(ex.xt, xt_of_t(t))),
        xt_of_t(t),
        ics={xt_of_t(0): sp.sqrt(2)},
    )
    return {
        "naive flow in x": naive_x.components(ex.X)[0],
        "naive flow in sqrt chart": naive_xt.components(ex.Xt)[0],
        "naive x flow seen in sqrt chart": naive_x.components(ex.Xt)[0],
        "naive sqrt flow seen in x": naive_xt.components(ex.X)[0],
        "x(t), naive in x, x(0) = 2": sol_x.rhs,
        "xt(t), naive in sqrt chart, xt(0) = sqrt(2)": sol_xt.rhs,
    }


def checks(results):
    """The checks the paper's statements rest on, as ``{statement: passed}``."""
    ex = sg.catalog.one_dimensional()
    eta, t, xt = ex.eta, ex.t, ex.xt
    pushed = results["naive x flow seen in sqrt chart"]
    own = results["naive flow in sqrt chart"]
    x_t = results["x(t), naive in x, x(0) = 2"]
    return {
        "the naive flows of x and sqrt(x) are different vector fields": sp.cancel(pushed - own) != 0,
        "x(t) solves the naive flow in x": sp.simplify(sp.diff(x_t, t) - results["naive flow in x"].subs(ex.x, x_t))
        == 0,
        "the naive x flow seen in sqrt(x) is eta (1/xt - xt)": sp.cancel(pushed - eta * (1 / xt - xt)) == 0,
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
    naive_x = sg.GradientFlow(ex.cost, sg.euclidean(ex.X), rate=eta).numeric(ex.X, params={eta: 1})
    naive_xt = sg.GradientFlow(ex.cost, sg.euclidean(ex.Xt), rate=eta).numeric(ex.Xt, params={eta: 1})
    sol_x = naive_x.integrate(np.array([2.0]), (0, 1.5), t_eval=ts)
    sol_xt = naive_xt.integrate(np.array([np.sqrt(2.0)]), (0, 1.5), t_eval=ts)
    ax_t.plot(sol_x.t, sol_x.y[:, 0], label=r"naive in $x$")
    ax_t.plot(sol_xt.t, sol_xt.y[:, 0] ** 2, label=r"naive in $\tilde x = \sqrt{x}$")
    ax_t.plot(ts, 1 + np.exp(-2 * ts), "k:", label=r"$1 + e^{-2\eta t}$")
    ax_t.set(xlabel="$t$", ylabel="$x(t)$", title="same cost, two flows")
    ax_t.legend()
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("one_dimensional", "The one-dimensional example", derive)
