"""Discrete probability families: Bernoulli, Binomial, Poisson and Categorical."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp

from ..core import _domain
from ..core._coerce import as_expr
from ..errors import (
    FamilyError,
    ParameterError,
)
from .families import (
    Family,
    Normal,
    _check_positive,
    _check_probability,
    _numeric_values,
    _param,
    _rng,
    sample_size,
)

__all__ = ["Bernoulli", "Binomial", "Poisson", "Categorical"]


# -- discrete families -------------------------------------------------------------------------


class Bernoulli(Family):
    r"""The Bernoulli family: :math:`P(x = 1) = p`, :math:`P(x = 0) = 1 - p`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> p = sp.Symbol("p", positive=True)
    >>> sg.Bernoulli(p).fisher_matrix()
    Matrix([[1/(p*(1 - p))]])
    """

    discrete = True
    _names = ("p",)

    def __init__(self, p: sp.Expr | float) -> None:
        self.p = _param(p, "Bernoulli", "p")
        _check_probability(self, "p", self.p)

    @property
    def support(self) -> sp.Set:
        """:math:`\\{0, 1\\}`."""
        return sp.Range(0, 2)

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """:math:`x \\log p + (1 - x) \\log(1 - p)`."""
        return x * sp.log(self.p) + (1 - x) * sp.log(1 - self.p)

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The pmf :math:`p^x (1 - p)^{1 - x}`."""
        return self.p**x * (1 - self.p) ** (1 - x)

    def _draw(self, p, size, rng):
        return (rng.random(size) < p[0]).astype(int)

    def fisher_matrix(self) -> sp.MatrixBase:
        """:math:`1/(p(1 - p))`."""
        return sp.Matrix([[1 / (self.p * (1 - self.p))]])


class Binomial(Family):
    r"""The binomial family: ``n`` fixed trials, success probability ``p``.

    ``n`` is a positive integer (an ``int``, or a sympy Symbol declared
    ``integer=True, positive=True``); it is not a parameter.  The one
    parameter is ``p``, with Fisher information :math:`n / (p (1 - p))`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> N = sp.Symbol("N", integer=True, positive=True)
    >>> P = sp.Symbol("P", positive=True)
    >>> sg.Binomial(N, P).fisher_matrix()
    Matrix([[N/(P*(1 - P))]])
    >>> sg.Binomial(N, P).gaussian_approximation()
    Normal(mean=N*P, variance=N*P*(1 - P))
    """

    discrete = True
    _names = ("p",)

    def __init__(self, n: sp.Expr | int, p: sp.Expr | float) -> None:
        if isinstance(n, (bool, float)) or isinstance(n, sp.Float):
            raise ParameterError(
                f"the number of trials n of a Binomial must be a positive integer, got {n!r}; pass an int"
            )
        self.n = as_expr(n, "the number of trials n of a Binomial")
        if _domain.ask(self.n, "integer") is False or _domain.decide_positive(self.n, {}) is False:
            raise ParameterError(
                f"the number of trials n of a Binomial must be a positive integer, got {self.n}; "
                "pass an int or a Symbol declared integer=True, positive=True"
            )
        self.p = _param(p, "Binomial", "p")
        _check_probability(self, "p", self.p)

    def __repr__(self) -> str:
        return f"Binomial(n={self.n}, p={self.p})"

    def _key(self):
        return (self.n, self.p)

    @property
    def support(self) -> sp.Set:
        """:math:`\\{0, \\dots, n\\}`."""
        return sp.Range(0, self.n + 1)

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """:math:`\\log\\binom{n}{x} + x \\log p + (n - x) \\log(1 - p)`."""
        n = self.n
        comb = sp.loggamma(n + 1) - sp.loggamma(x + 1) - sp.loggamma(n - x + 1)
        return comb + x * sp.log(self.p) + (n - x) * sp.log(1 - self.p)

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The pmf."""
        return sp.binomial(self.n, x) * self.p**x * (1 - self.p) ** (self.n - x)

    def sample(self, values, size, rng=None):
        """Draw samples; ``values`` also gives ``n`` when it is a symbol."""
        n, p = _numeric_values((self.n, self.p), values, self)
        return _rng(rng).binomial(int(round(n)), p, sample_size(size))

    def fisher_matrix(self) -> sp.MatrixBase:
        """:math:`n/(p(1 - p))`."""
        return sp.Matrix([[self.n / (self.p * (1 - self.p))]])

    def gaussian_approximation(self) -> Normal:
        """The normal family with the same mean and variance: :math:`N(np, np(1-p))`."""
        return Normal(mean=self.n * self.p, variance=self.n * self.p * (1 - self.p))


class Poisson(Family):
    r"""The Poisson family with rate :math:`\lambda > 0`: :math:`P(k) = \lambda^k e^{-\lambda}/k!`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> lam = sp.Symbol("lambda", positive=True)
    >>> sg.Poisson(rate=lam).fisher_matrix()
    Matrix([[1/lambda]])
    """

    discrete = True
    _names = ("rate",)

    def __init__(self, rate: sp.Expr | float) -> None:
        self.rate = _param(rate, "Poisson", "rate")
        _check_positive(self, "rate", self.rate)

    @property
    def support(self) -> sp.Set:
        """:math:`\\{0, 1, 2, \\dots\\}`."""
        return sp.Range(0, sp.oo)

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """:math:`x \\log\\lambda - \\lambda - \\log x!`."""
        return x * sp.log(self.rate) - self.rate - sp.loggamma(x + 1)

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The pmf."""
        return self.rate**x * sp.exp(-self.rate) / sp.factorial(x)

    def _draw(self, p, size, rng):
        return rng.poisson(p[0], size)

    def fisher_matrix(self) -> sp.MatrixBase:
        """:math:`1/\\lambda`."""
        return sp.Matrix([[1 / self.rate]])


class Categorical(Family):
    r"""The categorical family on :math:`\{0, \dots, K-1\}` with softmax logits.

    :math:`P(k) = \pi_k = e^{l_k} / \sum_j e^{l_j}`.  The Fisher matrix in the
    logits, :math:`\mathrm{diag}(\pi) - \pi\pi^T`, is singular (adding a
    constant to all logits changes nothing): a chart for the family has
    ``K - 1`` coordinates, e.g. logits ``(0, l1, l2)``.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> l = sp.Symbol("l", real=True)
    >>> C = sg.Manifold("coin").chart(l)
    >>> sg.fisher_metric(sg.Categorical(logits=[0, l]), C).components()
    Matrix([[exp(l)/(exp(l) + 1)**2]])
    """

    discrete = True

    def __init__(self, logits: Sequence[sp.Expr | float]) -> None:
        if isinstance(logits, str) or not hasattr(logits, "__iter__"):
            raise FamilyError("the logits of a Categorical are a sequence of expressions")
        self.logits = tuple(as_expr(v, "Categorical logit") for v in logits)
        if len(self.logits) < 2:
            raise FamilyError(f"a Categorical needs at least two logits, got {len(self.logits)}")

    def __repr__(self) -> str:
        return f"Categorical(logits={list(self.logits)})"

    @property
    def parameters(self) -> tuple[sp.Expr, ...]:
        """The logits."""
        return self.logits

    @property
    def probabilities(self) -> tuple[sp.Expr, ...]:
        """The softmax probabilities :math:`\\pi_k`."""
        z = sum(sp.exp(v) for v in self.logits)
        return tuple(sp.exp(v) / z for v in self.logits)

    def _log_normaliser(self):
        return sp.log(sum(sp.exp(v) for v in self.logits))

    @property
    def support(self) -> sp.Set:
        """:math:`\\{0, \\dots, K-1\\}`."""
        return sp.Range(0, len(self.logits))

    def log_pdf(self, x: sp.Expr) -> sp.Expr:
        """:math:`l_x - \\log\\sum_j e^{l_j}` (a Piecewise in a symbolic ``x``)."""
        lse = self._log_normaliser()
        if isinstance(x, (int, sp.Integer)):
            return self.logits[int(x)] - lse
        return sp.Piecewise(*[(v - lse, sp.Eq(x, k)) for k, v in enumerate(self.logits)], (sp.nan, True))

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """The pmf :math:`\\pi_x`."""
        pi = self.probabilities
        if isinstance(x, (int, sp.Integer)):
            return pi[int(x)]
        return sp.Piecewise(*[(v, sp.Eq(x, k)) for k, v in enumerate(pi)], (0, True))

    def _draw(self, p, size, rng):
        w = np.exp(np.array(p) - max(p))
        return rng.choice(len(p), size=size, p=w / w.sum())

    def fisher_matrix(self) -> sp.MatrixBase:
        """:math:`\\mathrm{diag}(\\pi) - \\pi \\pi^T` in the logits."""
        pi = self.probabilities
        K = len(pi)
        return sp.Matrix(K, K, lambda i, j: (pi[i] if i == j else 0) - pi[i] * pi[j])
