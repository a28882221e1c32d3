"""Data access helpers."""
import glob, os
from scorer import read_rttm, _merge_intervals
import os
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "ami")
FILES = sorted(os.path.basename(p)[:-4] for p in glob.glob(DATA + "/*.wav"))


def ref_of(f):
    """Reference segments (start, end, speaker) for file id f."""
    return read_rttm(f"{DATA}/{f}.rttm")[f]


def ref_union(f):
    """Union of reference speech as merged [start, end] intervals."""
    return _merge_intervals([(s, e) for s, e, _ in ref_of(f)])
