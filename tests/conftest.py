"""Hypothesis settings profiles for the test suite.

``ci`` (the default) keeps the whole suite fast: sympy is slow, so each property runs a
modest number of examples (tests lower it further with ``@settings(max_examples=...)``),
derandomized (two runs draw the same examples), without an example database (nothing is
written to the checkout) and without shrinking (shrinking sympy-heavy examples can take
many minutes; a failure still prints every drawn value).  ``dev`` runs more examples with
random seeds and shrinks failures; ``thorough`` runs many more.  Choose one with
``HYPOTHESIS_PROFILE=dev pytest`` or ``pytest --hypothesis-profile=dev``.
"""

import importlib.util
import os
import sys

# a test run with an interpreter that lacks symgrad's dependencies would fail module by module
# at collection; say once what is missing and how to install it
_MISSING = [m for m in ("sympy", "numpy", "scipy", "matplotlib", "hypothesis") if importlib.util.find_spec(m) is None]
if _MISSING:
    raise ImportError(
        f"the tests need {', '.join(_MISSING)}, which this Python ({sys.executable}) lacks; "
        'install symgrad with its test extra first: pip install -e ".[test]"'
    )

# pytest imports tracemalloc lazily while it reports an unraisable exception; the time
# limits' repeating interval timer can interrupt that slow first import and break the
# report, so it is imported once, here, before any time limit runs
import tracemalloc  # noqa: E402, F401

from hypothesis import HealthCheck, Phase, settings  # noqa: E402 - after the check above

# the tests import their helpers as top-level modules (``import strategies``)
sys.path.insert(0, os.path.dirname(__file__))

_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    print_blob=True,
    suppress_health_check=_SUPPRESS,
)
settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    suppress_health_check=_SUPPRESS,
)
settings.register_profile(
    "thorough",
    max_examples=300,
    deadline=None,
    suppress_health_check=_SUPPRESS,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
