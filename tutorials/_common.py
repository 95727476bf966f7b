"""Transition shim: the lessons' plumbing now lives in :mod:`autograd_lite.lessons`.

A lesson imports ``from autograd_lite.lessons import Lesson, pick, ...`` so that it needs
nothing beside itself (one lesson uploaded alone to Colab runs). This file only re-exports
those names for lessons written before the move; new lessons must not use it.
"""

from autograd_lite.lessons import *  # noqa: F403
from autograd_lite.lessons import __all__  # noqa: F401
