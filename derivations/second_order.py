r"""Beyond steepest descent: second-order geometry of the Fisher metric.

On the Gaussian family in the chart :math:`(\mu, \sigma)` the Fisher metric
:math:`(d\mu^2 + 2\, d\sigma^2)/\sigma^2` is a hyperbolic half-plane up to
scale: its geodesics are the vertical lines and the half-ellipses
:math:`(\mu - c)^2/2 + \sigma^2 = R^2`.  Its Levi-Civita connection defines the
Riemannian Hessian of the KL cost (positive definite everywhere), hence a
Riemannian Newton flow to compare with the natural-gradient (Fisher) flow, and
a momentum descent (Hamiltonian flow with kinetic energy
:math:`\tfrac12 p^T G^{-1} p` and friction) whose energy decreases.
"""

import numpy as np
import sympy as sp

import symgrad as sg

FRICTION = 1
START = (1.0, 0.7)
T_END = 20.0
#: Initial velocities of the geodesics drawn from (4, 2).
GEODESIC_DIRECTIONS = [(np.cos(a), np.sin(a)) for a in np.linspace(0.0, np.pi, 7)[:-1]] + [(0.0, -1.0)]


def _model():
    g = sg.catalog.gaussian_kl()
    return (
        g,
        sg.GradientFlow(g.cost, g.fisher),
        sg.newton_flow(g.cost, g.fisher),
        sg.hamiltonian_flow(g.cost, g.fisher, friction=FRICTION),
    )


def derive():
    """Christoffel symbols, geodesic equations, the Hessian, the Newton, Fisher and Hamiltonian flows."""
    g, fisher, newton, ham = _model()
    H = sg.riemannian_hessian(g.cost, g.fisher)
    return {
        "Fisher metric in (mu, sigma)": g.fisher.components(g.std),
        "Christoffel symbols Gamma[k, i, j] in (mu, sigma)": sg.christoffel(g.fisher),
        "geodesic equations": sp.Matrix([e.rhs for e in sg.geodesic_equations(g.fisher)]),
        "Riemannian Hessian of the KL cost": H,
        "determinant of the Riemannian Hessian": sp.factor(sp.cancel(H.det())),
        "natural-gradient (Fisher) flow": fisher.components(g.std),
        "Riemannian Newton flow": newton.components(g.std),
        f"Hamiltonian flow, friction {FRICTION}: (mu, sigma, p_mu, p_sigma)'": sp.Matrix(ham.rhs),
        "Hamiltonian": ham.hamiltonian,
    }


def _geodesics(g):
    return [
        sg.geodesic(
            g.fisher, None, [4.0, 2.0], list(v0), (0, 3.0), t_eval=np.linspace(0, 3.0, 200), rtol=1e-10, atol=1e-12
        )
        for v0 in GEODESIC_DIRECTIONS
    ]


def _on_half_ellipse(geo):
    """Largest deviation of a geodesic from its predicted vertical line or half-ellipse."""
    mu, sigma = geo.x[:, 0], geo.x[:, 1]
    vm, vs = geo.v[0]
    if abs(vm) < 1e-12:
        return float(np.max(np.abs(mu - mu[0])))
    u0 = mu[0] / np.sqrt(2)
    c = u0 + sigma[0] * vs / (vm / np.sqrt(2))  # the circle's centre in u = mu / sqrt 2
    R2 = (u0 - c) ** 2 + sigma[0] ** 2
    return float(np.max(np.abs((mu / np.sqrt(2) - c) ** 2 + sigma**2 - R2)))


def _trajectories(g, fisher, newton, ham):
    t = np.linspace(0.0, T_END, 300)
    nat = fisher.numeric(g.std).integrate(list(START), (0, T_END), t_eval=t, rtol=1e-8, atol=1e-10)
    nt = newton.numeric(g.std).integrate(list(START), (0, T_END), t_eval=t, rtol=1e-8, atol=1e-10)
    hs = ham.integrate(list(START), [0.0, 0.0], (0, T_END), t_eval=t, rtol=1e-8, atol=1e-10)
    cost = sp.lambdify([g.mu, g.sigma], g.cost.components(g.std), "numpy")
    return {
        "natural gradient": (nat.t, np.asarray(nat.y)),
        "Newton": (nt.t, np.asarray(nt.y)),
        "Hamiltonian": (hs.t, hs.x, hs.energy),
        "cost": cost,
    }


def checks(results):
    """The statements this derivation supports, as ``{statement: passed}``."""
    g, fisher, newton, ham = _model()
    mu, sigma = g.mu, g.sigma
    Gam = results["Christoffel symbols Gamma[k, i, j] in (mu, sigma)"]
    expected = [[[0, -1 / sigma], [-1 / sigma, 0]], [[1 / (2 * sigma), 0], [0, -1 / sigma]]]
    christ = all(sp.cancel(Gam[k, i, j] - expected[k][i][j]) == 0 for k in range(2) for i in range(2) for j in range(2))
    a = (mu - 4) ** 2
    det_ok = sp.cancel(results["determinant of the Riemannian Hessian"] - ((a + 4) ** 2 + 4 * sigma**2) / sigma**8) == 0
    H = results["Riemannian Hessian of the KL cost"]
    hess_min = H.subs({mu: 4, sigma: 2}) == g.fisher.components(g.std).subs(sigma, 2)
    J = results["Riemannian Newton flow"].jacobian([mu, sigma]).subs({mu: 4, sigma: 2})
    tr = _trajectories(g, fisher, newton, ham)
    cost = tr["cost"]
    c_newton = cost(*tr["Newton"][1].T)
    c_nat = cost(*tr["natural gradient"][1].T)
    _, hx, energy = tr["Hamiltonian"]
    return {
        "Christoffel symbols of the Fisher metric: G^mu_{mu sigma} = -1/sigma, G^sigma_{mu mu} = 1/(2 sigma), "
        "G^sigma_{sigma sigma} = -1/sigma": christ,
        "geodesics are vertical lines and half-ellipses (mu - c)^2/2 + sigma^2 = R^2": max(
            _on_half_ellipse(geo) for geo in _geodesics(g)
        )
        < 1e-6,
        "the Riemannian Hessian of the KL cost is positive definite everywhere"
        " (det = (((mu-4)^2+4)^2+4 sigma^2)/sigma^8)": det_ok
        and sp.cancel(2 * sigma**4 * H[0, 0] - (a + 4 + sigma**2)) == 0,
        "at the minimum the Riemannian Hessian is the Fisher metric": bool(hess_min),
        "the Newton flow's linearisation at the minimum is -identity": sp.simplify(J + sp.eye(2)) == sp.zeros(2, 2),
        "Newton and natural-gradient flows both decrease the cost to 0": bool(
            np.all(np.diff(c_newton) <= 1e-9)
            and np.all(np.diff(c_nat) <= 1e-9)
            and c_newton[-1] < 1e-4
            and c_nat[-1] < 1e-4
        ),
        "Newton and natural-gradient trajectories differ": float(
            np.max(np.abs(tr["Newton"][1] - tr["natural gradient"][1]))
        )
        > 0.1,
        "with friction the Hamiltonian decreases and the momentum descent reaches the minimum": bool(
            np.all(np.diff(energy) <= 1e-8) and np.allclose(hx[-1], [4.0, 2.0], atol=1e-2)
        ),
    }


def figure(results):
    """Geodesics; Newton vs natural gradient vs momentum trajectories; cost over time."""
    from matplotlib.figure import Figure

    g, fisher, newton, ham = _model()
    tr = _trajectories(g, fisher, newton, ham)
    fig = Figure(figsize=(14.0, 4.3), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for geo in _geodesics(g):
        ax1.plot(geo.x[:, 0], geo.x[:, 1], lw=1.2)
    ax1.plot([4.0], [2.0], "ko")
    ax1.set(
        xlabel=r"$\mu$", ylabel=r"$\sigma$", title="Fisher geodesics from $(4, 2)$:\nhalf-ellipses and a vertical line"
    )
    ax1.set_ylim(bottom=0)

    M, S = np.meshgrid(np.linspace(0.2, 8.0, 120), np.linspace(0.3, 4.5, 120))
    ax2.contour(M, S, tr["cost"](M, S), levels=np.geomspace(0.02, 20, 12), colors="0.75", linewidths=0.7)
    for name, color in (("natural gradient", "C0"), ("Newton", "C3")):
        y = tr[name][1]
        ax2.plot(y[:, 0], y[:, 1], color=color, lw=1.8, label=name)
    ax2.plot(
        tr["Hamiltonian"][1][:, 0],
        tr["Hamiltonian"][1][:, 1],
        color="C2",
        lw=1.4,
        label=f"momentum, friction {FRICTION}",
    )
    ax2.plot(*START, "ks")
    ax2.plot([4.0], [2.0], "k*", ms=10)
    ax2.set(xlabel=r"$\mu$", ylabel=r"$\sigma$", title="KL to $N(4, 2^2)$ from $(1, 0.7)$")
    ax2.legend(fontsize=8)

    for name, color in (("natural gradient", "C0"), ("Newton", "C3")):
        t, y = tr[name]
        ax3.semilogy(t, tr["cost"](*y.T), color=color, label=name)
    t, hx, energy = tr["Hamiltonian"]
    ax3.semilogy(t, tr["cost"](*hx.T), color="C2", label="momentum: cost")
    ax3.semilogy(t, energy, color="C2", ls="--", label="momentum: energy $H$")
    ax3.set(xlabel="$t$", ylabel="cost", title="cost over time")
    ax3.set_ylim(1e-8, None)
    ax3.legend(fontsize=8)
    return fig


if __name__ == "__main__":
    from symgrad.paper import main

    main("second_order", "Beyond steepest descent: second-order geometry", derive)
