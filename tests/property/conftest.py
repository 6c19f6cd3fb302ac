"""Hypothesis, set up for the hostile-input suite: reproducible, bounded, and leaving no files.

CI and `make test` run the `ci` profile: derandomized (each test draws the same examples on
every run, so a red CI run is red again on a laptop), no deadline (a 2-core machine under load
must not turn a slow example into a failure) and no example database. Set
`RAPPORT_HYPOTHESIS_PROFILE=explore` to hunt for new failures with fresh random seeds and ten
times the examples (`budget`); a failure prints the `@reproduce_failure` blob to pin it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis keeps caches (the Unicode tables it draws characters from) in `.hypothesis/` of the
# working directory: a temporary folder keeps the repository clean, and is reused between runs.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "rapport-hypothesis")

_COMMON = dict(
    deadline=None,
    print_blob=True,
    # The store-backed tests share one store per test function on purpose (each example uses
    # its own account); the 1 MB texts are drawn on purpose, and cost time to build.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("explore", derandomize=False, database=None, **_COMMON)
settings.load_profile(os.environ.get("RAPPORT_HYPOTHESIS_PROFILE", "ci"))
