// Research round 20: does a mean-shift (tied-covariance) ΔBIC tell a new voice from the voices already heard on less
// speech than the full-covariance ΔBIC? Oracle voices (single-speaker speech in the mask, by the reference):
// - new voice: each voice's first k seconds against each other voice's whole speech; the closest one counts;
// - same voice: k-second stretches of a voice's speech (every 20 s of it) against the rest of that voice.
// λ* is the weight at which ΔBIC = 0. A test that finds voices sooner has new-voice λ* above the same-voice λ* at small k.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

static class Tied
{
    public static void Run(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, double[] seconds)
    {
        var o = new SegmentClusteringOptions();
        int d = o.Coefficients;
        var scratch = new double[d * d];
        var same = seconds.ToDictionary(k => k, _ => (Full: new List<double>(), Tied: new List<double>()));
        var diff = seconds.ToDictionary(k => k, _ => (Full: new List<double>(), Tied: new List<double>()));
        foreach (var a in analysed)
        {
            int frames = Math.Min(a.mask.Frames, a.mfcc.Frames);
            var (names, who, count) = OracleFrames.Reference(a.reference, frames);
            var voiceFrames = names.Select(_ => new List<int>()).ToArray();
            var session = new GaussianStats(d);
            for (int f = 0; f < frames; f++)
            {
                if (count[f] != 1 || !a.mask.IsSpeech[f] || (a.mask.IsPause?[f] ?? false)) continue;
                voiceFrames[who[f]].Add(f);
                OracleFrames.AddFrame(session, a.mfcc, a.mask, f, o);
            }
            var floor = new SegmentClusterer(o).Floor(session);
            GaussianStats Stats(IEnumerable<int> fs)
            {
                var g = new GaussianStats(d);
                foreach (int f in fs) OracleFrames.AddFrame(g, a.mfcc, a.mask, f, o);
                return g;
            }
            var whole = voiceFrames.Select(Stats).ToArray();
            foreach (double k in seconds)
            {
                int n = (int)(k / 0.01);
                // New voice: its first k seconds against the closest other voice.
                for (int b = 0; b < names.Count; b++)
                {
                    if (voiceFrames[b].Count < n) continue;
                    var piece = Stats(voiceFrames[b].Take(n));
                    double full = double.PositiveInfinity, tied = double.PositiveInfinity;
                    for (int other = 0; other < names.Count; other++)
                    {
                        if (other == b || whole[other].Count < 1000) continue;
                        full = Math.Min(full, OracleFrames.LambdaStar(whole[other], piece, floor, scratch));
                        tied = Math.Min(tied, LambdaTied(whole[other], piece, floor, scratch));
                    }
                    if (!double.IsPositiveInfinity(full)) { diff[k].Full.Add(full); diff[k].Tied.Add(tied); }
                }
                // Same voice: a k-second stretch every 20 s of the voice's speech, against the rest of it.
                for (int v = 0; v < names.Count; v++)
                {
                    for (int start = 0; start + n <= voiceFrames[v].Count && voiceFrames[v].Count - n >= 1000; start += 2000)
                    {
                        var piece = Stats(voiceFrames[v].Skip(start).Take(n));
                        var rest = whole[v].Clone();
                        rest.Remove(piece);
                        same[k].Full.Add(OracleFrames.LambdaStar(rest, piece, floor, scratch));
                        same[k].Tied.Add(LambdaTied(rest, piece, floor, scratch));
                    }
                }
            }
        }
        foreach (double k in seconds)
        {
            foreach (var (name, s, df) in new[] { ("full", same[k].Full, diff[k].Full), ("tied", same[k].Tied, diff[k].Tied) })
            {
                s.Sort(); df.Sort();
                double p95 = Q(s, 0.95), p99 = Q(s, 0.99);
                Console.WriteLine($"{k,4}s {name}: same ({s.Count}) p50 {Q(s, 0.5):F2} p95 {p95:F2} p99 {p99:F2} max {s[^1]:F2} | new ({df.Count}) min {df[0]:F2} p10 {Q(df, 0.1):F2} p50 {Q(df, 0.5):F2} | new above same p95 {df.Count(x => x > p95) * 100.0 / df.Count:F0}% p99 {df.Count(x => x > p99) * 100.0 / df.Count:F0}% max {df.Count(x => x > s[^1]) * 100.0 / df.Count:F0}%");
            }
        }
    }

    private static double Q(List<double> sorted, double q) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

    /// <summary>ΔBIC of one shared covariance with two means against one Gaussian: y moved onto x's mean gives the pooled within-covariance.</summary>
    private static double LambdaTied(GaussianStats x, GaussianStats y, double[] floor, double[] scratch)
    {
        int d = x.Dims;
        double ny = y.Count;
        var sum = new double[d];
        var scatter = (double[])y.Scatter.Clone();
        for (int i = 0; i < d; i++)
        {
            double mxi = x.Sum[i] / x.Count, myi = y.Sum[i] / ny;
            sum[i] = ny * mxi;
            for (int j = 0; j <= i; j++)
            {
                scatter[i * d + j] += ny * (mxi * x.Sum[j] / x.Count - myi * y.Sum[j] / ny);
            }
        }
        double auxSum = y.AuxSum, auxSquares = y.AuxSquares;
        if (y.AuxCount > 0 && x.AuxCount > 0)
        {
            double mx = x.AuxSum / x.AuxCount, my = y.AuxSum / y.AuxCount;
            auxSum = y.AuxCount * mx;
            auxSquares = y.AuxSquares + y.AuxCount * (mx * mx - my * my);
        }
        var shifted = new GaussianStats(d);
        shifted.Restore(ny, sum, scatter, y.AuxCount, auxSum, auxSquares);
        double gain = 0.5 * (GaussianStats.CostOfUnion(x, y, floor, scratch) - GaussianStats.CostOfUnion(x, shifted, floor, scratch));
        return gain / (0.5 * (d + (floor.Length > d ? 1 : 0)) * Math.Log(x.Count + y.Count));
    }
}
