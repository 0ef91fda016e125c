"""pytest runs every ``>>>`` example of the documentation pages (``--doctest-glob=*.rst``).

The pages run from the source folder's root, as in CI, with matplotlib's Agg backend; the
files a Sphinx build generates, and the Sphinx configuration itself, are not collected.
"""

import matplotlib

matplotlib.use("Agg")

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "_ext/*", "_templates/*", "gallery/*", "api/generated/*"]
