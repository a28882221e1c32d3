#!/usr/bin/python3
"""remix.py: new conversations of the real-dev voices, built by the real-dev generator itself.

    /usr/bin/python3 research/round4/remix.py ../shared/data/real-dev /tmp/remix          # the six below
    /usr/bin/python3 research/round4/remix.py ../shared/data/real-dev /tmp/remix2 12      # 12 random draws
    REMIX_WARP=7 /usr/bin/python3 research/round4/remix.py ../shared/data/real-dev /tmp/warp 12   # ... of new voices

The generator (`../shared/tools/make_conversations.py`) reads single-speaker source recordings, which are not
distributed. This script gives it, as each voice's "source files", that voice's speech cut out of the real-dev
conversations: every reference turn that overlaps no other turn, the turns of one conversation joined with 0.4 s of
digital silence between them. The generator then cuts them into phrases again and lays out new conversations with
its own turn lengths, pauses, overlaps, backchannels, gains and room noise.

Still development data: the same 13 voices (and the same recordings, with the room noise of the conversation each
turn came from underneath the new noise). What is new is who talks with whom, how many, and how long: the count
from 2 to 8 voices, groups of voices recorded the same way (the male and the female LibriSpeech test-other readers
among themselves), and other dominance patterns. Output: OUT/real-dev/*.wav|rttm|json and an empty OUT/ami, so the
sweep and the CLI take OUT as they take ../shared/data.
"""
import os, sys, wave
from collections import defaultdict
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "tools"))
import make_conversations as mc  # noqa: E402

# id, minutes, seed, speakers, snr_db
SPECS = [
    ("mix_8spk_10min", 10, 201, "LS19,LS26,LJ,LS1688,LS2414,LS3331,VCTKp225,VCTKp226", 30),
    ("mix_5male_5min", 5, 202, "LS1688,LS2033,LS2414,LS2609,LS3005", 30),
    ("mix_4female_5min", 5, 203, "LS1998,LS3080,LS3331,VCTKp225", 35),
    ("mix_3male_4min", 4, 204, "LS26,LS3005,LS2609", 25),
    ("mix_7spk_15min", 15, 205, "LS19,LJ,LS26,LS2033,LS3080,LS1998,VCTKp226", 25),
    ("mix_2male_3min", 3, 206, "LS2414,LS1688", 30),
]


VOICES = ["LS19", "LS26", "LJ", "LS1688", "LS2033", "LS2414", "LS2609", "LS3005", "LS1998", "LS3080", "LS3331",
          "VCTKp225", "VCTKp226"]


def random_specs(count, first_seed):
    """A second batch: voices drawn at random (2-8 of the 13), about 70 s of speech each, SNR 25-40 dB."""
    specs = []
    for k in range(count):
        rng = np.random.default_rng(first_seed + k)
        n = int(rng.integers(2, 9))
        names = [VOICES[i] for i in sorted(rng.choice(len(VOICES), n, replace=False))]
        minutes = max(3, int(round(n * 70 / 54)))
        specs.append((f"rnd{k:02d}_{n}spk_{minutes}min", minutes, first_seed + k, ",".join(names), int(rng.choice([25, 30, 35, 40]))))
    return specs


def read_wav(path):
    with wave.open(path, "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768


def sources_from(real_dev):
    """One source per (conversation, voice): its clean turns joined by 0.4 s of silence."""
    sources, audio = [], []
    for name in sorted(f[:-5] for f in os.listdir(real_dev) if f.endswith(".rttm")):
        x = read_wav(os.path.join(real_dev, name + ".wav"))
        turns = []
        for line in open(os.path.join(real_dev, name + ".rttm")):
            p = line.split()
            turns.append((float(p[3]), float(p[3]) + float(p[4]), p[7]))
        by = defaultdict(list)
        for i, (s, e, who) in enumerate(turns):
            if any(j != i and s2 < e and s < e2 for j, (s2, e2, _) in enumerate(turns)):
                continue                      # overlapped: two voices somewhere in it
            by[who].append(x[int(s * mc.SR):int(e * mc.SR)])
        gap = np.zeros(int(0.4 * mc.SR))
        for who, parts in sorted(by.items()):
            joined = np.concatenate([np.concatenate([p, gap]) for p in parts])
            sources.append(dict(speaker=who, group="real-dev", licence="see real-dev README", repo="real-dev",
                                commit="-", path=f"real-dev/{name}/{who}", blob="-", note=""))
            audio.append(joined)
    return sources, audio


def warped(sources, audio, seed):
    """Each voice played faster or slower by its own factor (0.88-0.94 or 1.06-1.13, drawn from the seed): its pitch
    and formants move together, as from a shorter or longer vocal tract (the VTLP augmentation of speaker
    recognition). The voices are no longer the development voices; their relations to each other change too."""
    import subprocess, tempfile
    rng = np.random.default_rng(seed)
    factor = {}
    for v in VOICES:
        f = rng.uniform(0.06, 0.13)
        factor[v] = 1 + f if rng.random() < 0.5 else 1 - f
    print("warp factors: " + " ".join(f"{v} {factor[v]:.3f}" for v in VOICES))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for src, x in zip(sources, audio):
            a, b = os.path.join(tmp, "a.wav"), os.path.join(tmp, "b.wav")
            mc.write_wav(a, (np.clip(x, -1, 1) * 32767).astype("<i2"))
            subprocess.run(["sox", "-D", a, b, "speed", f"{factor[src['speaker']]:.4f}", "rate", "-v", str(mc.SR)], check=True)
            out.append(read_wav(b))
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    real_dev, out_root = sys.argv[1], sys.argv[2]
    specs = SPECS if len(sys.argv) == 3 else random_specs(int(sys.argv[3]), 301)
    sources, audio = sources_from(real_dev)
    warp = os.environ.get("REMIX_WARP")     # e.g. REMIX_WARP=7: every voice resampled by its own factor (new voices)
    if warp:
        audio = warped(sources, audio, int(warp))
    mc.load_audio = lambda mirror_root, cache, src: audio[sources.index(src)]
    out = os.path.join(out_root, "real-dev")
    os.makedirs(out, exist_ok=True)
    os.makedirs(os.path.join(out_root, "ami"), exist_ok=True)
    force = os.environ.get("REMIX_SNR")     # e.g. REMIX_SNR=20: every conversation at that SNR (a noise check)
    only = os.environ.get("REMIX_ONLY")     # e.g. REMIX_ONLY=rnd01,rnd10: only the conversations whose id starts so
    for cid, minutes, seed, names, snr in specs:
        if only and not any(cid.startswith(p) for p in only.split(",")):
            continue
        if force:
            snr = float(force)
        spk = mc.prepare(sources, None, None, names.split(","), log=False)
        pcm, rows, stats, turns = mc.make_conversation(cid, spk, minutes, seed, snr, sources)
        mc.write_wav(os.path.join(out, cid + ".wav"), pcm)
        with open(os.path.join(out, cid + ".rttm"), "w") as f:
            f.write("\n".join(rows) + "\n")
        print(f"{cid}: speech {stats['speech_s']} reuse {stats['reuse_s']} overlap {stats['overlap_s']} s")


if __name__ == "__main__":
    main()
