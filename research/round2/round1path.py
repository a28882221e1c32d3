"""Round 2 reuses round 1's modules (common, features, sad, pipeline) unchanged: put research/round1 on the path.

Round 2's own scorer.py (mapping over all evaluated time) stays first, ahead of round 1's."""
import os
import sys

_ROUND1 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "round1")
if _ROUND1 not in sys.path:
    sys.path.insert(1, _ROUND1)
