"""fit_metric on Dask arrays: normal equations summed chunk by chunk, the same results as numpy input."""

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.analysis import fitting

da = pytest.importorskip("dask.array", reason='Dask arrays need the dask extra: pip install "symgrad[dask]"')

x, y = sp.symbols("x y", positive=True)
P = sg.Manifold("quadrant").chart(x, y)
COST = sg.Scalar(P.manifold, P, (x - 1) ** 2 / 2 + (y - 2) ** 2 / 2 + x * y / 4)
G_TRUE = np.array([[2.0, 0.3], [0.3, 0.5]])


def data(n=600, noise=1e-3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.5, 3.0, (n, 2))
    W = np.stack([(X[:, 0] - 1) + X[:, 1] / 4, (X[:, 1] - 2) + X[:, 0] / 4], axis=1)
    V = -np.linalg.solve(G_TRUE, W.T).T + noise * rng.normal(size=X.shape)
    return X, V


def components(metric, at=(1.3, 0.7)):
    return np.array(metric.components().subs({x: at[0], y: at[1]}), dtype=float)


FAMILIES = ["constant", "diagonal", "log-diagonal", "mixture"]


def family(name):
    return [sg.euclidean(P), sg.log_metric(P)] if name == "mixture" else name


@pytest.mark.parametrize("name", FAMILIES)
def test_dask_arrays_give_the_numpy_results(name):
    X, V = data()
    G1, r1 = sg.fit_metric(COST, X, V, family=family(name))
    G2, r2 = sg.fit_metric(COST, da.from_array(X, chunks=97), da.from_array(V, chunks=(150, 1)), family=family(name))
    np.testing.assert_allclose(components(G2), components(G1), rtol=0, atol=1e-10)
    assert r2 == pytest.approx(r1, rel=1e-10, abs=1e-12)


def test_the_whole_array_is_never_materialised(monkeypatch):
    X, V = data(n=1000)
    rows = []
    block = fitting._block_normal

    def spy(Xb, Vb, *args):
        rows.append(len(Xb))
        return block(Xb, Vb, *args)

    monkeypatch.setattr(fitting, "_block_normal", spy)
    G, _ = sg.fit_metric(COST, da.from_array(X, chunks=100), da.from_array(V, chunks=100))
    assert rows and max(rows) == 100 and sum(rows) == 1000
    np.testing.assert_allclose(components(G), G_TRUE, atol=1e-2)


def test_a_mixed_numpy_and_dask_pair_and_an_exact_fit():
    X, V = data(noise=0.0)
    G, res = sg.fit_metric(COST, X, da.from_array(V, chunks=64))
    np.testing.assert_allclose(components(G), G_TRUE, atol=1e-10)
    assert res < 1e-10


def test_a_fit_outside_the_spd_cone_is_refined_like_numpy():
    X, V = data(n=200)
    V = V * np.array([1.0, -1.0])  # no positive-definite constant metric fits
    G1, r1 = sg.fit_metric(COST, X, V)
    G2, r2 = sg.fit_metric(COST, da.from_array(X, chunks=50), da.from_array(V, chunks=50))
    assert np.linalg.eigvalsh(components(G2)).min() > 0
    np.testing.assert_allclose(components(G2), components(G1), atol=1e-4)
    assert r2 == pytest.approx(r1, rel=1e-6)


def test_errors_match_the_numpy_path():
    X, V = data(n=50)
    dX, dV = da.from_array(X, chunks=20), da.from_array(V, chunks=20)
    with pytest.raises(sg.DimensionError, match="shape"):
        sg.fit_metric(COST, dX[:, :1], dV[:, :1])
    with pytest.raises(sg.DimensionError, match="one shape"):
        sg.fit_metric(COST, dX, dV[:10])
    with pytest.raises(sg.DomainError, match="outside the domain"):
        sg.fit_metric(COST, da.from_array(X * np.array([1.0, -1.0]), chunks=20), dV)
    with pytest.raises(sg.DomainError, match="not finite"):
        sg.fit_metric(COST, dX, da.from_array(np.where(V > 0, np.nan, V), chunks=20))
    line = np.stack([X[:, 0], X[:, 0]], axis=1)
    with pytest.raises(sg.FitError, match="too few directions"):
        sg.fit_metric(COST, dX, da.from_array(line, chunks=20))
    with pytest.raises(sg.FitError, match="unknown metric family"):
        sg.fit_metric(COST, dX, dV, family="round")
    with pytest.raises(sg.FitError, match="no positive-definite diagonal"):
        sg.fit_metric(COST, dX, -dV, family="diagonal")
