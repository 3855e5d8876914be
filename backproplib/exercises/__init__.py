"""Checks that answer a student's exercise at once, each computing its reference answer from
the exercise's inputs, so that a cell shows the question and the call, never the answer:

    exercises.check_gradient(answer, ex_net, ex_x, ex_y, "w_H1")

Every check returns a ``Feedback`` ("Right: ...", "Not yet: ..." with a hint, "Not answered
yet: ..." while the answer is None), truthy only when right. A student's answer never raises; an
author's slip raises ValueError or TypeError naming the argument.
"""

from . import answers, network, sandbox, slips, topics
from .answers import *  # noqa: F403 (each module's __all__ names its public checks)
from .network import *  # noqa: F403
from .sandbox import *  # noqa: F403
from .slips import *  # noqa: F403
from .topics import *  # noqa: F403

__all__ = [*answers.__all__, *network.__all__, *sandbox.__all__, *slips.__all__, *topics.__all__]
