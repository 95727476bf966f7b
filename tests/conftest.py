"""Hypothesis profiles: a quick default, and HYPOTHESIS_PROFILE=long for a deep search.

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
"""

import os

from hypothesis import HealthCheck, settings

# No deadline: a numerical gradient costs two forward passes per element, and a cold
# first example (imports, caches) would otherwise be reported as flaky.
settings.register_profile("default", deadline=None, max_examples=100)
settings.register_profile("ci", deadline=None, max_examples=100, derandomize=True)
settings.register_profile(
    "long",
    deadline=None,
    max_examples=2000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
