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


if __name__ == "__main__":
    from derivations._report import main

    main("one_dimensional", "The one-dimensional example", derive)
