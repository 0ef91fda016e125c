"""The numeric Fisher metric: a Metric of definite integrals, computed by quadrature where it is evaluated."""

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.numeric._kernels import Kernel

x = sp.Symbol("x", real=True)
mu = sp.Symbol("mu", real=True)
s, th = sp.symbols("s theta", positive=True)


def test_a_kernel_computes_definite_integrals_at_every_point():
    a, t = sp.symbols("a t", real=True)
    gauss = sp.Integral(sp.exp(-((t - a) ** 2) / 2) * t**2, (t, -sp.oo, sp.oo))  # sqrt(2 pi) (1 + a^2)
    bound = sp.Integral(sp.exp(-((x - 1) ** 2)), (x, -sp.oo, sp.oo))  # its variable is named like the coordinate
    kernel = Kernel([gauss + x, sp.Integral(t * x, (t, 0, 2)), bound], (x,), (a,))
    got = kernel(np.array([[0.0], [1.0], [3.0]]), [np.array([0.0, 2.0, -1.0])])
    expected = np.stack(
        [np.sqrt(2 * np.pi) * np.array([1.0, 5.0, 2.0]) + [0, 1, 3], [0.0, 2.0, 6.0], np.full(3, np.sqrt(np.pi))],
        axis=-1,
    )
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_the_numeric_metric_of_a_mixture_is_the_expectation_of_the_scores():
    C = sg.Manifold("line").chart(th)
    mix = sg.Density((sp.exp(-((x - th) ** 2) / 2) + sp.exp(-((x + th) ** 2) / 2)) / (2 * sp.sqrt(2 * sp.pi)), x)
    F = sg.fisher_metric(mix, C, method="numeric")
    assert F.components()[0, 0].has(sp.Integral) and "quadrature" in F.provenance[0]
    assert F.checked.startswith("numeric")
    reference = sg.fisher_metric(mix, C, method="expectation")
    flow = sg.GradientFlow(sg.Scalar(C.manifold, C, (th - 2) ** 2 / 2), F)
    num = flow.numeric(C)
    for value in (0.3, 1.0, 2.5):
        G = num.metric(np.array([value]))
        np.testing.assert_allclose(G, reference.evaluate([value]), rtol=1e-8)
        np.testing.assert_allclose(num(np.array([value])), -(value - 2) / G[0], rtol=1e-8)
    with pytest.raises(sg.UnsupportedExpressionError, match="integral"):
        sg.to_python(flow, C)


def test_the_numeric_metric_of_a_normal_density_is_its_closed_form():
    A = sg.Manifold("normal").chart(mu, s)
    density = sg.Density(sp.exp(-((x - mu) ** 2) / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi)), x)
    F = sg.fisher_metric(density, A, method="numeric")
    num = sg.GradientFlow(sg.Scalar(A.manifold, A, mu**2 + s**2), F).numeric(A)
    points = np.array([[0.5, 1.0], [-2.0, 0.3], [1.0, 4.0]])
    expected = np.zeros((3, 2, 2))
    expected[:, 0, 0], expected[:, 1, 1] = 1 / points[:, 1] ** 2, 2 / points[:, 1] ** 2
    np.testing.assert_allclose(num.metric(points), expected, rtol=1e-7, atol=1e-10)


def test_a_numeric_metric_needs_a_continuous_variable_between_numeric_limits():
    p = sp.Symbol("p", positive=True)
    with pytest.raises(sg.FamilyError, match="continuous"):
        sg.fisher_metric(sg.Poisson(p), sg.Manifold("rate").chart(p), method="numeric")


def test_a_flow_of_the_numeric_metric_is_solved_and_plotted_on_a_grid():
    from matplotlib.figure import Figure

    from symgrad.plotting import plot_flow

    A = sg.Manifold("normal grid").chart(mu, s)
    density = sg.Density(sp.exp(-((x - mu) ** 2) / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi)), x)
    F = sg.fisher_metric(density, A, method="numeric")
    flow = sg.GradientFlow(sg.Scalar(A.manifold, A, (mu - 1) ** 2 + (s - 2) ** 2), F, solve="numeric")
    out = plot_flow(Figure().subplots(), flow, A, {mu: (-1, 2), s: (0.5, 3)}, n=5, contour_n=8)
    X, Y = out["grid"]
    # G = diag(1/s^2, 2/s^2): v = -(2 (mu - 1) s^2, (s - 2) s^2)
    np.testing.assert_allclose(out["field"][0], -2 * (X - 1) * Y**2, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(out["field"][1], -(Y - 2) * Y**2, rtol=1e-6, atol=1e-9)
