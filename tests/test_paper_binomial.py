"""The binomial synapse (Fig 4C/D) in its narrow-target regime, and claim 5: telling the metrics apart.

The expected closed forms are written out here by hand; symbols are matched to the
derivations' by name and assumptions.
"""

import numpy as np
import pytest
import sympy as sp

import symgrad as sg
from symgrad.paper import binomial_synapse, metric_identifiability

ETA = sp.Symbol("eta", positive=True)
Q, P, PHI, EPS, M, V = sp.symbols("q P phi epsilon m v", positive=True)
N = sp.Symbol("N", integer=True, positive=True)


def zero(expr):
    """Exactly zero: every entry of ``expr`` cancels (or simplifies) to 0."""
    entries = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    return all(sp.cancel(e) == 0 or sp.simplify(e) == 0 for e in entries)


@pytest.fixture(scope="module")
def synapse():
    return binomial_synapse.derive()


@pytest.fixture(scope="module")
def identifiability():
    return metric_identifiability.derive()


# -- Fig 4C/D: the binomial synapse ----------------------------------------------------------------


def test_binomial_synapse_checks_all_pass(synapse):
    checks = binomial_synapse.checks(synapse)
    assert len(checks) >= 12
    assert all(checks.values()), [k for k, ok in checks.items() if not ok]


def test_fisher_flow_in_mean_and_variance(synapse):
    expected = sp.Matrix([ETA * (PHI - M), ETA * (EPS**2 + (M - PHI) ** 2 - V)])
    assert zero(synapse["Fisher flow in (m, v)"] - expected)
    assert zero(synapse["Fisher flow in (m, v), by the chain rule"] - expected)
    # independently: the natural gradient of the Gaussian KL, Fisher metric diag(1/v, 1/(2 v^2)) in (m, v)
    cost = (sp.log(V / EPS**2) + (EPS**2 + (PHI - M) ** 2) / V - 1) / 2
    dC = sp.Matrix([sp.diff(cost, M), sp.diff(cost, V)])
    assert zero(-ETA * sp.diag(V, 2 * V**2) * dC - expected)
    assert zero(synapse["differential of the cost in (m, v)"] - dC)
    assert zero(synapse["response mean and variance (m, v)"] - sp.Matrix([N * P * Q, N * P * (1 - P) * Q**2]))


def test_fisher_flow_is_the_pullback_of_the_mean_variance_flow(synapse):
    # J (q', P') = (m', v') at (m, v) = (NPq, NP(1-P)q^2), checked in the chart (q, P)
    response = sp.Matrix([N * P * Q, N * P * (1 - P) * Q**2])
    J = response.jacobian([Q, P])
    pushed = J * synapse["Fisher flow"]
    m, v = response
    assert zero(pushed - sp.Matrix([ETA * (PHI - m), ETA * (EPS**2 + (m - PHI) ** 2 - v)]))


def test_stationary_point_and_its_narrow_target_limit(synapse):
    star = sp.Matrix([EPS**2 / PHI + PHI / N, PHI**2 / (PHI**2 + N * EPS**2)])
    assert zero(synapse["stationary point in (m, v)"] - sp.Matrix([PHI, EPS**2]))
    assert zero(synapse["stationary point in (q, P)"] - star)
    syn = sg.catalog.binomial_synapse()
    dC = sg.differential(syn.cost).components()
    assert zero(dC.subs({Q: star[0], P: star[1]}, simultaneous=True))
    assert zero(synapse["stationary point as epsilon -> 0"] - sp.Matrix([PHI / N, 1]))
    # not stationary elsewhere: dC at (phi/N, 1/2) is not zero
    assert not zero(dC.subs({Q: PHI / N, P: sp.Rational(1, 2)}))
    # numerically at the figure's values the flows vanish at the optimum, which tends to the edge
    assert np.allclose(binomial_synapse.optimum(0.0), [0.15, 1.0])
    assert binomial_synapse.optimum(0.02)[1] < 1.0 < binomial_synapse.optimum(0.02)[1] + 2e-3


def test_metabolic_metric_and_path_lengths(synapse):
    assert zero(synapse["metabolic metric"] - sp.diag(1, 1 / (1 - P) ** 2))
    assert zero(synapse["metabolic length of P: 1/2 -> 3/5"] - sp.log(sp.Rational(5, 4)))
    assert zero(synapse["metabolic length of P: 9/10 -> 99/100"] - sp.log(10))
    assert synapse["metabolic length of P: 9/10 -> 1"] == sp.oo


def test_trajectories_run_to_convergence():
    opt = binomial_synapse.optimum()
    paths = binomial_synapse.trajectories()
    assert set(paths) == {"Euclidean", "Fisher", "metabolic"}
    for name, runs in paths.items():
        assert len(runs) == len(binomial_synapse.STARTS)
        for path, status, t_stop in runs:
            assert status == 2, name  # stopped because the speed became tiny
            assert 0 < t_stop < binomial_synapse.T_MAX
            assert np.linalg.norm(path[-1] - opt) < 1e-3, name
            assert path[:, 1].max() < 1.0


def test_binomial_notes_state_the_assumptions(synapse):
    text = binomial_synapse.notes(synapse)
    assert "### Values we assumed" in text
    assert "our choices" in text
    assert "metabolic metric is our choice" in text
    assert "| metric | start" in text


# -- claim 5: could data tell the metrics apart? ---------------------------------------------------


def test_identifiability_checks_all_pass(identifiability):
    checks = metric_identifiability.checks(identifiability)
    assert all(checks.values()), [k for k, ok in checks.items() if not ok]


def test_power_is_monotone_on_a_tiny_configuration():
    ns, noises, reps = (1, 2, 4, 8, 16), (0.0, 0.3, 1.0), 60
    p = metric_identifiability.power(ns=ns, noises=noises, reps=reps, seed=3)
    assert p.shape == (3, len(noises), len(ns))
    tol = 3 * 0.5 / np.sqrt(reps)
    assert np.all(p[:, 0, :] == 1.0)  # no noise: the truth always ranks first
    assert np.all(np.diff(p, axis=2) >= -tol)  # more observations, more power
    assert np.all(np.diff(p, axis=1) <= tol)  # more noise, less power
    assert np.all(p[:, 1, -1] >= 0.9)  # 30% noise, 16 observations: the truth is found
    assert np.all(p[:, 2, 0] < 0.9)  # 100% noise, one observation: it is not
    # the same seed gives the same estimate
    assert np.array_equal(p, metric_identifiability.power(ns=ns, noises=noises, reps=reps, seed=3))


def test_residual_scores_equal_fit_metric():
    syn = sg.catalog.binomial_synapse()
    values = metric_identifiability.VALUES
    params = {syn.N: values["N"], syn.phi: values["phi"], syn.epsilon: values["epsilon"]}
    rng = np.random.default_rng(7)
    X = metric_identifiability.sample(rng, (12,))
    W, G = metric_identifiability.evaluate(X)
    U = metric_identifiability.flows(W, G)
    Vobs = metric_identifiability.observe(U, "Fisher", 0.2, rng.standard_normal((12, 2)))
    closed = metric_identifiability.residual_scores(Vobs, W, G)
    _, res = sg.fit_metric(syn.cost, X, Vobs, family=[syn.euclidean], params=params)
    assert closed["Euclidean"][-1] == pytest.approx(res, rel=1e-8)


def test_likelihood_ranks_the_truth_first_without_noise():
    rng = np.random.default_rng(11)
    X = metric_identifiability.sample(rng, (3,))
    W, G = metric_identifiability.evaluate(X)
    U = metric_identifiability.flows(W, G)
    for truth in metric_identifiability.NAMES:
        scores = metric_identifiability.likelihood_scores(2.5 * U[truth], U)  # any positive rate
        best = min(scores, key=lambda k: scores[k][-1])
        assert best == truth


def test_n_for_95_percent():
    assert metric_identifiability.n_for([0.5, 0.96, 0.94, 1.0], ns=(1, 2, 3, 4)) == 2
    assert metric_identifiability.n_for([0.1, 0.2], ns=(1, 2)) == np.inf


def test_identifiability_table_matches_the_curves(identifiability):
    names = metric_identifiability.NAMES
    n95 = identifiability["n for 95% power"]
    for i, truth in enumerate(names):
        curves = np.array(identifiability[f"power, truth {truth}"], dtype=float)
        for j in range(len(metric_identifiability.NOISES)):
            assert n95[j, i] == metric_identifiability.n_for(curves[j])
    text = metric_identifiability.notes(identifiability)
    assert "### Assumptions" in text and "uniformly" in text and "V_n = v_n + \\sigma |v_n|" in text
