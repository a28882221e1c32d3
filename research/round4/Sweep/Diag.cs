// Diagnostic: distances between reference-pure segments, same speaker against different speakers.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

static class Diag
{
    public static void Run(string id, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, double segSeconds, double floorFraction, int first, int d)
    {
        int frames = Math.Min(mask.Frames, mfcc.Frames);
        var who = new string?[frames];
        var count = new int[frames];
        foreach (var s in reference)
        {
            for (int f = (int)(s.StartSeconds / 0.01); f < Math.Min(frames, (int)(s.EndSeconds / 0.01)); f++) { who[f] = s.Speaker; count[f]++; }
        }
        int L = (int)(segSeconds / 0.01);
        var segs = new List<(GaussianStats G, string Spk)>();
        var global = new GaussianStats(d);
        for (int i = 0; i + L <= frames;)
        {
            bool ok = true; string? spk = null;
            for (int f = i; f < i + L && ok; f++) { if (count[f] != 1 || !mask.IsSpeech[f]) ok = false; else if (spk is null) spk = who[f]; else if (spk != who[f]) ok = false; }
            if (!ok) { i += 10; continue; }
            var g = new GaussianStats(d);
            for (int f = i; f < i + L; f++) g.Add(mfcc.Row(f).Slice(first, d));
            segs.Add((g, spk!)); global.Add(g); i += L;
        }
        var floor = new double[d];
        for (int k = 0; k < d; k++) { double m = global.Sum[k] / global.Count; floor[k] = floorFraction * (global.Scatter[k * d + k] / global.Count - m * m); }
        var scratch = new double[d * d];
        var ld = segs.Select(s => s.G.LogDet(floor, scratch)).ToArray();
        var same = new List<double>(); var diff = new List<double>();
        for (int i = 0; i < segs.Count; i++) for (int j = i + 1; j < segs.Count; j++)
        {
            double v = SegmentClusterer.Distance(segs[i].G, ld[i], segs[j].G, ld[j], floor, scratch);
            (segs[i].Spk == segs[j].Spk ? same : diff).Add(v);
        }
        same.Sort(); diff.Sort();
        string Q(List<double> x) => x.Count == 0 ? "-" : string.Join(" ", new[] { 0.05, 0.25, 0.5, 0.75, 0.95 }.Select(q => x[(int)(q * (x.Count - 1))].ToString("F3")));
        // How often is a different-speaker pair closer than the median same pair: a separation score.
        double auc = 0; var rnd = new Random(1);
        for (int t = 0; t < 20000 && same.Count > 0 && diff.Count > 0; t++) auc += same[rnd.Next(same.Count)] < diff[rnd.Next(diff.Count)] ? 1 : 0;
        Console.WriteLine($"{id,-16} segs {segs.Count,4} same[{Q(same)}] diff[{Q(diff)}] auc {auc / 20000:F3}");
    }
}
