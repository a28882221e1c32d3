#!/usr/bin/env python3
"""Dominant-speaker variants of the real-dev conversations (a robustness check, still development data).

Removes whole turns of chosen speakers (with the gap after each) from a real-dev conversation, so that one voice
holds 50-80 % of the speech, as in the held-out conversations the issue describes. Turns that overlap another turn
are kept, so a "removed" voice survives as a minor one (backchannels). Same voices, same recordings: this checks the
count and the live ids under dominance, not generalisation to new voices.

    python3 research/round4/derive_variants.py ../shared/data/real-dev /tmp/variants
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


def derive(src_dir, out_dir, source, out_id, keep, seed):
    rnd = random.Random(seed)
    with wave.open(os.path.join(src_dir, source + ".wav")) as w:
        rate, width = w.getframerate(), w.getsampwidth()
        assert width == 2 and w.getnchannels() == 1, "real-dev is 16-bit mono"
        samples = array.array("h", w.readframes(w.getnframes()))
    turns = []
    with open(os.path.join(src_dir, source + ".rttm")) as f:
        for line in f:
            p = line.split()
            turns.append((float(p[3]), float(p[3]) + float(p[4]), p[7]))
    turns.sort()
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
    os.makedirs(out_dir, exist_ok=True)
    with wave.open(os.path.join(out_dir, out_id + ".wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(out.tobytes())
    speech = {}
    with open(os.path.join(out_dir, out_id + ".rttm"), "w") as f:
        for i, (s, e, spk) in enumerate(turns):
            if i in dropped:
                continue
            a, b = shifted(s), shifted(e)
            speech[spk] = speech.get(spk, 0) + b - a
            f.write(f"SPEAKER {out_id} 1 {a:.3f} {b - a:.3f} <NA> <NA> {spk} <NA> <NA>\n")
    total = sum(speech.values())
    shares = ", ".join(f"{k} {v:.0f} s ({v / total * 100:.0f} %)" for k, v in sorted(speech.items(), key=lambda kv: -kv[1]))
    print(f"{out_id}: {len(out) / rate / 60:.1f} min from {source}; {shares}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src_dir, out_root = sys.argv[1], sys.argv[2]
    for source, out_id, keep, seed in VARIANTS:
        derive(src_dir, os.path.join(out_root, "real-dev"), source, out_id, keep, seed)
    os.makedirs(os.path.join(out_root, "ami"), exist_ok=True)  # the sweep expects both folders


if __name__ == "__main__":
    main()
