# Shared by the round-21 set builders (muted.py, quiet.py): each 16-bit conversation of a folder with its RTTM rows, and
# the output folder laid out as the sweep expects (OUT/real-dev, and an empty OUT/ami).
import os, wave
import numpy as np

def conversations(src, out):
    """Yields (name, rate, samples as int16, RTTM SPEAKER rows split) for every WAV in src; creates out/real-dev and out/ami."""
    os.makedirs(out + "/real-dev", exist_ok=True); os.makedirs(out + "/ami", exist_ok=True)
    for f in sorted(os.listdir(src)):
        if not f.endswith(".wav"): continue
        name = f[:-4]
        with wave.open(f"{src}/{f}") as w:
            rate = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        rows = [l.split() for l in open(f"{src}/{name}.rttm") if l.startswith("SPEAKER")]
        yield name, rate, x, rows

def write_wav(path, rate, samples):
    """Writes mono 16-bit samples (clipped) to path."""
    with wave.open(path, "w") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes(np.clip(samples, -32768, 32767).astype(np.int16).tobytes())
