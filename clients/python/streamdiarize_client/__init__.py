"""A client of the StreamDiarize daemon: stream PCM audio over gRPC, get speaker events, keep the final turns.

    from streamdiarize_client import stream_wav, TurnLedger
    ledger = TurnLedger()
    for event in stream_wav("meeting.wav", "127.0.0.1:50051"):
        ledger.apply(event)
    print(ledger.turns())
"""
import os
import struct
import sys
import threading
import time

_GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_gen")
if not os.path.isdir(os.path.join(_GEN, "streamdiarize")):
    raise ImportError("the gRPC stubs are not generated: run `python3 generate_stubs.py` in clients/python "
                      "(before pip install)")
sys.path.insert(0, _GEN)
from streamdiarize.v1 import diarizer_pb2 as pb  # noqa: E402
from streamdiarize.v1 import diarizer_pb2_grpc as pb_grpc  # noqa: E402

import grpc  # noqa: E402

__all__ = ["pb", "pb_grpc", "read_wav", "stream_wav", "TurnLedger", "WavError"]


class WavError(ValueError):
    """The file is not a WAV this client can send (it names the file and what to do)."""


def read_wav(path):
    """(encoding, rate, channels, PCM bytes) of a 16-bit integer or 32-bit float WAV."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise WavError(f"{path}: not a WAV file; convert it, e.g. sox IN -b 16 -c 1 -r 16000 OUT.wav")
    pos, fmt = 12, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt " and size >= 16:
            fmt = list(struct.unpack("<HHIIHH", body[:16]))
            if fmt[0] == 0xFFFE and size >= 26:  # WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the real tag
                fmt[0] = struct.unpack("<H", body[24:26])[0]
        elif cid == b"data" and fmt is not None:
            tag, channels, rate, _, _, bits = fmt
            if tag == 1 and bits == 16:
                return pb.PCM_S16LE, rate, channels, body
            if tag == 3 and bits == 32:
                return pb.PCM_F32LE, rate, channels, body
            raise WavError(f"{path}: {bits}-bit samples of format {tag} are not sent by this client; "
                           "convert to 16-bit PCM, e.g. sox IN -b 16 OUT.wav")
        pos += 8 + size + (size & 1)
    raise WavError(f"{path}: no audio (no fmt and data chunks)")


def stream_wav(path, server, api_key=None, speakers=None, latency_seconds=None, realtime=False, session_id=None, chunk_seconds=0.1):
    """Streams the WAV as one Diarize session and yields every DiarizeEvent; raises grpc.RpcError on a refusal.

    The audio goes out only once the daemon has sent SessionStarted: a refused session (at capacity, a quota, a bad
    config) then ends with the daemon's status, and no audio is written into a call the daemon has already ended.
    """
    encoding, rate, channels, pcm = read_wav(path)
    width = 2 if encoding == pb.PCM_S16LE else 4
    config = pb.SessionConfig(format=pb.AudioFormat(encoding=encoding, sample_rate_hz=rate, channels=channels))
    if speakers:
        config.exact_speakers = speakers
    if latency_seconds:
        config.latency_seconds = latency_seconds
    if session_id:
        config.session_id = session_id

    started = threading.Event()  # set at SessionStarted, or when the call is over without it
    accepted = []                # [True] once the daemon started the session
    ended = threading.Event()    # set at SessionEnded: the daemon ended the session (a shutdown, a limit), stop sending

    def requests():
        yield pb.DiarizeRequest(config=config)
        started.wait()
        if not accepted:
            return  # refused: the call's status says why
        step = max(1, int(rate * chunk_seconds)) * width * channels
        start = time.monotonic()
        for i in range(0, len(pcm), step):
            if ended.is_set():
                return  # half-close at once, so the call ends cleanly on both sides (docs/GRPC.md)
            yield pb.DiarizeRequest(audio=pb.AudioChunk(data=pcm[i:i + step]))
            if realtime:
                due = start + (i + step) / (width * channels * rate)
                time.sleep(max(0.0, due - time.monotonic()))

    metadata = [("authorization", "Bearer " + api_key)] if api_key else None
    with grpc.insecure_channel(server) as channel:
        try:
            for event in pb_grpc.DiarizerStub(channel).Diarize(requests(), metadata=metadata):
                if event.WhichOneof("event") == "session_started":
                    accepted.append(True)
                    started.set()
                elif event.WhichOneof("event") == "session_ended":
                    ended.set()
                yield event
        finally:
            started.set()  # the call is over, or the caller stopped reading: release the request thread if it waits


class TurnLedger:
    """The final turns of a session, with Relabel and Merge applied as they arrive (as the daemon's own ledger does)."""

    def __init__(self):
        self.final = []

    def apply(self, event):
        kind = event.WhichOneof("event")
        if kind == "segment" and event.segment.is_final:
            s = event.segment
            self.final.append([s.start_seconds, s.end_seconds, s.speaker])
        elif kind == "relabel":
            r, parts = event.relabel, []
            for s, e, spk in self.final:
                if spk != r.from_speaker or e <= r.start_seconds or s >= r.end_seconds:
                    parts.append([s, e, spk])
                    continue
                if s < r.start_seconds:
                    parts.append([s, r.start_seconds, spk])
                parts.append([max(s, r.start_seconds), min(e, r.end_seconds), r.to_speaker])
                if e > r.end_seconds:
                    parts.append([r.end_seconds, e, spk])
            self.final = parts
        elif kind == "merge":
            m = event.merge
            self.final = [[s, e, m.into_speaker if spk == m.from_speaker else spk] for s, e, spk in self.final]

    def turns(self):
        """(start, end, speaker) in time order, a speaker's touching pieces joined into one turn."""
        joined = []
        for s, e, spk in sorted(self.final):
            if joined and joined[-1][2] == spk and s - joined[-1][1] <= 1e-6:
                joined[-1][1] = max(joined[-1][1], e)
            else:
                joined.append([s, e, spk])
        return [tuple(t) for t in joined]
