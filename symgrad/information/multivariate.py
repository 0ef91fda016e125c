"""The multivariate normal family, with mean and covariance, precision or Cholesky factor."""

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
from .families import Family, _check_positive

__all__ = ["MultivariateNormal"]


class MultivariateNormal(Family):
    r"""The multivariate normal family :math:`N(m, \Sigma)` in dimension ``d``.

    Give the mean (a sequence or column Matrix of ``d`` expressions) and exactly
    one of ``covariance`` (:math:`\Sigma`), ``precision`` (:math:`\Sigma^{-1}`)
    or ``cholesky`` (:math:`L`, lower-triangular with positive diagonal,
    :math:`\Sigma = L L^T`), a ``d x d`` sympy Matrix.

    The parameters are the mean entries, then the matrix entries on and above
    the diagonal (covariance, precision) or on and below it (cholesky), row by
    row.  The Fisher matrix is
    :math:`F_{kl} = \partial_k m^T \Sigma^{-1} \partial_l m +
    \tfrac12 \mathrm{tr}(\Sigma^{-1} \partial_k\Sigma\, \Sigma^{-1} \partial_l\Sigma)`.

    Examples
    --------
    >>> import sympy as sp
    >>> import symgrad as sg
    >>> m1, m2 = sp.symbols("m1 m2", real=True)
    >>> a, b = sp.symbols("a b", positive=True)
    >>> fam = sg.MultivariateNormal(mean=[m1, m2], covariance=sp.diag(a, b))
    >>> fam.parameters
    (m1, m2, a, 0, b)
    >>> fam.fisher_matrix()[:2, :2]
    Matrix([
    [1/a,   0],
    [  0, 1/b]])
    """

    def __init__(
        self,
        mean: Sequence[sp.Expr | float] | sp.MatrixBase,
        covariance: sp.MatrixBase | None = None,
        precision: sp.MatrixBase | None = None,
        cholesky: sp.MatrixBase | None = None,
    ) -> None:
        given = {
            k: v
            for k, v in (("covariance", covariance), ("precision", precision), ("cholesky", cholesky))
            if v is not None
        }
        if len(given) != 1:
            raise FamilyError(
                "MultivariateNormal takes exactly one of covariance=, precision= or cholesky=, "
                f"got {sorted(given) or 'none'}"
            )
        ((self.matrix_name, matrix),) = given.items()
        if isinstance(mean, str) or not hasattr(mean, "__iter__"):
            raise FamilyError("the mean of a MultivariateNormal is a sequence or a column Matrix")
        entries = [as_expr(v, "MultivariateNormal mean entry") for v in mean]
        d = len(entries)
        if d == 0:
            raise FamilyError("the mean of a MultivariateNormal needs at least one entry")
        self.mean = sp.ImmutableMatrix(entries)
        try:
            m = sp.ImmutableMatrix(matrix)
        except (TypeError, ValueError, sp.SympifyError):
            raise FamilyError(f"the {self.matrix_name} of a MultivariateNormal must be a sympy Matrix") from None
        if m.shape != (d, d):
            raise FamilyError(
                f"the {self.matrix_name} of a MultivariateNormal with a mean of {d} entries must be "
                f"{d}x{d}, got shape {m.shape}"
            )
        self.matrix = sp.ImmutableMatrix(d, d, [as_expr(v, f"{self.matrix_name} entry") for v in m])
        self._check_matrix()

    def _check_matrix(self):
        m, d, name = self.matrix, self.dim, self.matrix_name
        if name == "cholesky":
            for i in range(d):
                for j in range(i + 1, d):
                    if _domain.decide_zero(m[i, j], {})[0] is False:
                        raise ParameterError(
                            f"the cholesky factor of a MultivariateNormal must be lower-triangular; "
                            f"entry ({i}, {j}) is {m[i, j]}; put the factor L with covariance L L^T"
                        )
                _check_positive(self, f"cholesky diagonal entry {i}", m[i, i])
            return
        for i in range(d):
            for j in range(i + 1, d):
                if m[i, j] != m[j, i] and _domain.decide_zero(m[i, j] - m[j, i], {})[0] is False:
                    raise ParameterError(
                        f"the {name} of a MultivariateNormal must be symmetric; entry ({i}, {j}) is "
                        f"{m[i, j]} but entry ({j}, {i}) is {m[j, i]}"
                    )
        for k in range(1, d + 1):
            minor = m[:k, :k].det(method="berkowitz")
            if _domain.decide_positive(minor, {}) is False:
                raise ParameterError(
                    f"the {name} of a MultivariateNormal must be positive definite; its leading minor "
                    f"of size {k} is {_domain.factored(minor)}, not positive"
                )

    def __repr__(self) -> str:
        return f"MultivariateNormal(mean={list(self.mean)}, {self.matrix_name}={self.matrix.tolist()})"

    def _key(self):
        return (self.matrix_name, self.mean, self.matrix)

    @property
    def dim(self) -> int:
        """The dimension ``d`` of the data."""
        return self.mean.rows

    def _positions(self):
        d = self.dim
        if self.matrix_name == "cholesky":
            return [(i, j) for i in range(d) for j in range(i + 1)]
        return [(i, j) for i in range(d) for j in range(i, d)]

    @property
    def parameters(self) -> tuple[sp.Expr, ...]:
        """Mean entries, then the matrix entries on one side of the diagonal (see the class)."""
        return tuple(self.mean) + tuple(self.matrix[i, j] for i, j in self._positions())

    def covariance_matrix(self) -> sp.ImmutableMatrix:
        """The covariance matrix :math:`\\Sigma` as a sympy Matrix."""
        m = self.matrix
        if self.matrix_name == "covariance":
            return m
        if self.matrix_name == "precision":
            return sp.ImmutableMatrix(m.inv(method="LU").applyfunc(sp.cancel))
        return sp.ImmutableMatrix((m * m.T).applyfunc(sp.expand))

    def precision_matrix(self) -> sp.ImmutableMatrix:
        """The precision matrix :math:`\\Sigma^{-1}` as a sympy Matrix."""
        m = self.matrix
        if self.matrix_name == "precision":
            return m
        if self.matrix_name == "covariance":
            return sp.ImmutableMatrix(m.inv(method="LU").applyfunc(sp.cancel))
        inv = m.inv(method="LU")
        return sp.ImmutableMatrix((inv.T * inv).applyfunc(sp.cancel))

    @property
    def support(self) -> sp.Set:
        """:math:`\\mathbb{R}^d`."""
        return sp.Reals**self.dim

    def _vector(self, x):
        items = list(x) if not isinstance(x, sp.Basic) or isinstance(x, sp.MatrixBase) else [x]
        if len(items) != self.dim:
            raise FamilyError(f"the data of {self} is a sequence of {self.dim} symbols, got {x!r}")
        return sp.Matrix(items)

    def log_pdf(self, x: Sequence[sp.Symbol] | sp.MatrixBase) -> sp.Expr:
        """The log-density at the data vector ``x`` (a sequence of ``d`` symbols)."""
        r = self._vector(x) - self.mean
        quad = (r.T * self.precision_matrix() * r)[0, 0]
        m = self.matrix
        if self.matrix_name == "covariance":
            logdet = -sp.log(m.det(method="berkowitz")) / 2
        elif self.matrix_name == "precision":
            logdet = sp.log(m.det(method="berkowitz")) / 2
        else:
            logdet = -sum(sp.log(m[i, i]) for i in range(self.dim))
        return -quad / 2 + logdet - self.dim * sp.log(2 * sp.pi) / 2

    def _draw(self, p, size, rng):
        d = self.dim
        mean = np.array(p[:d])
        m = np.zeros((d, d))
        for (i, j), v in zip(self._positions(), p[d:]):
            m[i, j] = v
            if self.matrix_name != "cholesky":
                m[j, i] = v
        cov = {"covariance": m, "precision": None, "cholesky": m @ m.T}[self.matrix_name]
        if cov is None:
            cov = np.linalg.inv(m)
        return rng.multivariate_normal(mean, cov, size)

    def fisher_matrix(self) -> sp.MatrixBase:
        """The Fisher matrix in ``parameters`` (mean entries, then matrix entries)."""
        d = self.dim
        positions = self._positions()
        Sinv = self.precision_matrix()
        mats = []
        for i, j in positions:
            E = sp.zeros(d, d)
            E[i, j] = 1
            if self.matrix_name != "cholesky":
                E[j, i] = 1
            if self.matrix_name == "covariance":
                mats.append(Sinv * E)  # Sigma^{-1} dSigma
            elif self.matrix_name == "precision":
                mats.append(-E * self.covariance_matrix())  # Sigma^{-1} dSigma = -dLambda Sigma
            else:
                L = self.matrix
                mats.append(Sinv * (E * L.T + L * E.T))
        n = d + len(positions)
        F = sp.zeros(n, n)
        F[:d, :d] = Sinv
        for a, A in enumerate(mats):
            for b in range(a, len(mats)):
                v = sp.cancel((A * mats[b]).trace() / 2)
                F[d + a, d + b] = F[d + b, d + a] = v
        return sp.ImmutableMatrix(F)
