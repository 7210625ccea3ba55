import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")

# the mypy runs in the tests fail loudly on a plugin bug instead of falling back quietly
os.environ["SHAPED_PLUGIN_DEBUG"] = "1"
