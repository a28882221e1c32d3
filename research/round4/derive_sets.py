#!/usr/bin/env python3
"""Derived sets from the real-dev conversations (robustness checks, still development data: the same voices).

    derive_sets.py REAL_DEV OUT [variants|halves|hour]

- variants (the default): dominant-speaker variants, below;
- halves: each conversation cut in two at the first moment after its middle where no one speaks (12 files, 1.3-10 min);
- hour: the six conversations one after the other (58 min, 13 voices, most of them in two or three parts).

Dominant-speaker variants:

Removes whole turns of chosen speakers (with the gap after each) from a real-dev conversation, so that one voice
holds 50-80 % of the speech, as in the held-out conversations the issue describes. Turns that overlap another turn
are kept, so a "removed" voice survives as a minor one (backchannels). Same voices, same recordings: this checks the
count and the live ids under dominance, not generalisation to new voices.

    python3 research/round4/derive_sets.py ../shared/data/real-dev /tmp/variants
    python3 research/round4/derive_sets.py ../shared/data/real-dev /tmp/halves halves
    python3 research/round4/derive_sets.py ../shared/data/real-dev /tmp/hour hour
    streamdiarize file /tmp/variants/real-dev/*.wav --out out/var && streamdiarize score --ref /tmp/variants/real-dev --hyp out/var
    cd research/round4/Sweep && LIVE="" dotnet run -c Release -- /tmp/variants      # live ids, rewrites, relabelled
"""
import array, os, random, sys, wave

# (source, output id, fraction of each named speaker's turns kept, seed)
VARIANTS = [
    ("dev_6spk_20min", "var_3spk_lj", {"LS19": 0.3, "LS26": 0.25, "VCTKp226": 0, "LS3080": 0, "LS2033": 0}, 1),
    ("dev_2spk_10min", "var_2spk_dom", {"LS19": 0.3}, 2),
    ("dev_4spk_10min", "var_3spk_ls26", {"LS3331": 0, "LS1998": 0.5, "LS3080": 0.6}, 3),
    ("dev_5spk_10min", "var_3spk_ls19", {"LS2033": 0, "LS2609": 0, "LS3005": 0.6, "VCTKp225": 0.6}, 4),
]


def read(src_dir, name):
    with wave.open(os.path.join(src_dir, name + ".wav")) as w:
        rate = w.getframerate()
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, "real-dev is 16-bit mono"
        samples = array.array("h", w.readframes(w.getnframes()))
    with open(os.path.join(src_dir, name + ".rttm")) as f:
        turns = [(float(p[3]), float(p[3]) + float(p[4]), p[7]) for p in (line.split() for line in f)]
    return rate, samples, sorted(turns)


def write(out_dir, out_id, rate, samples, turns):
    os.makedirs(out_dir, exist_ok=True)
    with wave.open(os.path.join(out_dir, out_id + ".wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    with open(os.path.join(out_dir, out_id + ".rttm"), "w") as f:
        for s, e, spk in turns:
            f.write(f"SPEAKER {out_id} 1 {s:.3f} {e - s:.3f} <NA> <NA> {spk} <NA> <NA>\n")
    print(f"{out_id}: {len(samples) / rate / 60:.1f} min, {len({t[2] for t in turns})} voices")


def derive(src_dir, out_dir, source, out_id, keep, seed):
    rnd = random.Random(seed)
    rate, samples, turns = read(src_dir, source)
    end_of_audio = len(samples) / rate
    cuts, dropped = [], set()
    for i, (s, e, spk) in enumerate(turns):
        if rnd.random() < keep.get(spk, 1.0):
            continue
        stop = max(e, turns[i + 1][0] if i + 1 < len(turns) else end_of_audio)
        if any(j != i and t[0] < stop and t[1] > s for j, t in enumerate(turns)):
            continue  # overlaps another turn: kept
        cuts.append((s, stop))
        dropped.add(i)
    cuts.sort()

    def shifted(t):
        return t - sum(min(b, t) - a for a, b in cuts if a < t)

    out = array.array("h")
    at = 0
    for a, b in cuts:
        out.extend(samples[at:int(a * rate)])
        at = int(b * rate)
    out.extend(samples[at:])
    kept = [(shifted(s), shifted(e), spk) for i, (s, e, spk) in enumerate(turns) if i not in dropped]
    write(out_dir, out_id, rate, out, kept)
    speech = {}
    for s, e, spk in kept:
        speech[spk] = speech.get(spk, 0) + e - s
    total = sum(speech.values())
    shares = ", ".join(f"{k} {v:.0f} s ({v / total * 100:.0f} %)" for k, v in sorted(speech.items(), key=lambda kv: -kv[1]))
    print(f"  from {source}; {shares}")


CONVERSATIONS = ["dev_2spk_10min", "dev_6spk_20min", "dev_3spk_5min", "dev_5spk_10min", "dev_2spk_3min", "dev_4spk_10min"]


def halves(src_dir, out_dir):
    for name in CONVERSATIONS:
        rate, samples, turns = read(src_dir, name)
        cut = len(samples) / rate / 2
        while any(s < cut < e for s, e, _ in turns):
            cut += 0.01
        for part, lo, hi in (("a", 0, cut), ("b", cut, len(samples) / rate)):
            kept = [(max(s, lo) - lo, min(e, hi) - lo, spk) for s, e, spk in turns if min(e, hi) > max(s, lo)]
            write(out_dir, f"half_{name[4:]}_{part}", rate, samples[int(lo * rate):int(hi * rate)], kept)


def hour(src_dir, out_dir):
    out, turns, offset, rate = array.array("h"), [], 0.0, 16000
    for name in CONVERSATIONS:
        rate, samples, part = read(src_dir, name)
        turns += [(s + offset, e + offset, spk) for s, e, spk in part]
        out.extend(samples)
        offset += len(samples) / rate
    write(out_dir, "hour_all", rate, out, turns)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    src_dir, out_root = sys.argv[1], sys.argv[2]
    which = sys.argv[3] if len(sys.argv) == 4 else "variants"
    if which == "variants":
        for source, out_id, keep, seed in VARIANTS:
            derive(src_dir, os.path.join(out_root, "real-dev"), source, out_id, keep, seed)
    elif which == "halves":
        halves(src_dir, os.path.join(out_root, "real-dev"))
    elif which == "hour":
        hour(src_dir, os.path.join(out_root, "real-dev"))
    else:
        sys.exit(f"unknown set '{which}': use variants, halves or hour")
    os.makedirs(os.path.join(out_root, "ami"), exist_ok=True)  # the sweep expects both folders


if __name__ == "__main__":
    main()
