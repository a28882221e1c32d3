# Longer real meetings from the shared AMI clips: clips of one meeting (the same speakers) joined end to end, with their
# RTTM shifted to match, into OUT/real-dev (and an empty OUT/ami, as the sweep expects). Round 21: spontaneous speech
# of voices recorded alike, 60-120 s, as a stand-in for longer meetings. Speakers shared per the clips' RTTM:
# dev00+dev01 (MEE009, MEE012), trn00..trn03 (MEE067, MEE068, MÉO069, FEO065, FEO066), trn07+trn08 (FEE087, FEE088,
# MEE089, MEO086).
# Usage: /usr/bin/python3 research/round4/join_ami.py ../shared/data/ami /tmp/amilong   (needs sox)
import sys, os, subprocess
src, out = sys.argv[1], sys.argv[2]
os.makedirs(out + "/real-dev", exist_ok=True); os.makedirs(out + "/ami", exist_ok=True)
meetings = {"ami_mee": ["dev00", "dev01"], "ami_es": ["trn00", "trn01", "trn02", "trn03"], "ami_fee87": ["trn07", "trn08"]}
for name, clips in meetings.items():
    off = 0.0
    with open(f"{out}/real-dev/{name}.rttm", "w", encoding="utf-8") as o:
        for c in clips:
            for l in open(f"{src}/{c}.rttm", encoding="utf-8"):
                r = l.split()
                if not r or r[0] != "SPEAKER": continue
                r[1] = name; r[3] = f"{float(r[3]) + off:.3f}"
                o.write(" ".join(r) + "\n")
            off += float(subprocess.check_output(["soxi", "-D", f"{src}/{c}.wav"]).decode())
    subprocess.check_call(["sox"] + [f"{src}/{c}.wav" for c in clips] + [f"{out}/real-dev/{name}.wav"])
    print(f"{name}: {' + '.join(clips)}, {off:.0f} s")
