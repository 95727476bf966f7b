"""Hypothesis profiles: a quick default, a reproducible one for CI, and a deep search.

    python -m pytest                                   default: random, quick
    CI=true python -m pytest                           ci: derandomized (same examples every run)
    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py tests/test_properties.py

HYPOTHESIS_PROFILE, when set, wins over CI.
"""

import os

from hypothesis import HealthCheck, settings

# No deadline: a numerical gradient costs two forward passes per element, and a cold
# first example (imports, caches) would otherwise be reported as flaky.
settings.register_profile("default", deadline=None, max_examples=100)
# derandomize: the examples depend only on the test, so a CI failure reproduces locally
# with CI=true; no example database either, so nothing carries over between runs.
settings.register_profile(
    "ci", deadline=None, max_examples=100, derandomize=True, database=None
)
settings.register_profile(
    "long",
    deadline=None,
    max_examples=2000,
    suppress_health_check=[HealthCheck.too_slow],
)


def _profile() -> str:
    chosen = os.environ.get("HYPOTHESIS_PROFILE")
    if chosen:
        return chosen
    on_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return "ci" if on_ci else "default"


settings.load_profile(_profile())
