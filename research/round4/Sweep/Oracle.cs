// Research round 11: ΔBIC between oracle voices (every single-speaker speech frame of a voice, up to a prefix) and
// between two halves of one voice (its turns alternately): the weight λ* at which ΔBIC = 0, by how much speech each holds.
// Tells whether the count on little speech is blocked by the penalty or by the first-stage clusters.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

static class Oracle
{
    public static void Run(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, double[] seconds)
    {
        var o = new SegmentClusteringOptions { Coefficients = int.Parse(Environment.GetEnvironmentVariable("DIMS") ?? "19") };
        var scratch = new double[o.Coefficients * o.Coefficients];
        foreach (var a in analysed)
        {
            foreach (double sec in seconds)
            {
                int frames = Math.Min(Math.Min(a.mask.Frames, a.mfcc.Frames), (int)(sec / 0.01));
                var who = new int[frames]; var count = new int[frames];
                var names = a.reference.Select(s => s.Speaker).Distinct().ToList();
                var turnOf = new int[frames];
                int t = 0;
                foreach (var s in a.reference)
                {
                    t++;
                    for (int f = (int)(s.StartSeconds / 0.01); f < Math.Min(frames, (int)(s.EndSeconds / 0.01)); f++) { who[f] = names.IndexOf(s.Speaker); count[f]++; turnOf[f] = t; }
                }
                var whole = names.Select(_ => new GaussianStats(o.Coefficients)).ToArray();
                var half = names.Select(_ => new[] { new GaussianStats(o.Coefficients), new GaussianStats(o.Coefficients) }).ToArray();
                var session = new GaussianStats(o.Coefficients);
                var perTurn = new Dictionary<int, int>();
                for (int f = 0; f < frames; f++)
                {
                    if (count[f] != 1 || !a.mask.IsSpeech[f] || (a.mask.IsPause?[f] ?? false)) continue;
                    var row = a.mfcc.Row(f).Slice(o.FirstCoefficient, o.Coefficients);
                    int k = who[f];
                    // Halves: alternate turns of the voice (each turn wholly in one half).
                    if (!perTurn.TryGetValue(turnOf[f], out int h)) { h = perTurn.Count(kv => who[FirstFrame(turnOf, kv.Key)] == k) % 2; perTurn[turnOf[f]] = h; }
                    bool voiced = a.mask.Voicing is { } v && v[f] >= o.PitchVoicingThreshold && a.mask.PitchLags![f] > 0;
                    foreach (var g in new[] { whole[k], half[k][h], session })
                    {
                        g.Add(row);
                        if (voiced) g.AddAux(PitchAccumulator.LogF0(a.mask.PitchLags![f], 16000));
                    }
                }
                var floor = new SegmentClusterer(o).Floor(session);
                double LambdaStar(GaussianStats x, GaussianStats y)
                {
                    double gain = 0.5 * (GaussianStats.CostOfUnion(x, y, floor, scratch) - x.Cost(floor, scratch) - y.Cost(floor, scratch));
                    return gain / (BicClusterer.Penalty(x.Dims, floor.Length > x.Dims) * Math.Log(x.Count + y.Count));
                }
                var line = new System.Text.StringBuilder($"{a.Id,-16} {sec,5}s");
                line.Append("  same:");
                for (int k = 0; k < names.Count; k++)
                {
                    if (half[k][0].Count < 200 || half[k][1].Count < 200) continue;
                    line.Append($" {names[k]}({half[k][0].Count / 100:F0}+{half[k][1].Count / 100:F0}s) {LambdaStar(half[k][0], half[k][1]):F2}");
                }
                line.Append("  diff:");
                for (int i = 0; i < names.Count; i++)
                    for (int j = i + 1; j < names.Count; j++)
                    {
                        if (whole[i].Count < 200 || whole[j].Count < 200) continue;
                        line.Append($" {names[i]}-{names[j]}({whole[i].Count / 100:F0}/{whole[j].Count / 100:F0}s) {LambdaStar(whole[i], whole[j]):F2}");
                    }
                Console.WriteLine(line);
            }
        }
    }

    private static int FirstFrame(int[] turnOf, int turn) => Array.IndexOf(turnOf, turn);
}

static class Compose
{
    // The offline kernel on the first N seconds: each found cluster's seconds of each true voice.
    public static void Run(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, double[] seconds, SegmentClusteringOptions o)
    {
        var clusterer = new SegmentClusterer(o);
        foreach (var a in analysed)
        {
            foreach (double sec in seconds)
            {
                int n = Math.Min((int)(sec / 0.01), a.mask.Frames);
                var mask = new SpeechMask(a.mask.IsSpeech[..n], a.mask.HopSeconds) { IsPause = a.mask.IsPause?[..n], Voicing = a.mask.Voicing?[..n], PitchLags = a.mask.PitchLags?[..n] };
                int asked = int.Parse(Environment.GetEnvironmentVariable("ASK") ?? "0");
                var limits = asked > 0 ? new ClusterCountLimits(asked, asked) : new ClusterCountLimits(1, Environment.GetEnvironmentVariable("LSTAR") == "1" ? 64 : 20);
                var labels = SegmentDiarization.LabelFrames(mask, a.mfcc, clusterer, limits, mask.Voicing ?? [], mask.PitchLags ?? []);
                var names = a.reference.Select(s => s.Speaker).Distinct().ToList();
                int k = labels.Max() + 1;
                var tab = new double[k, names.Count];
                var who = new int[n]; var count = new int[n];
                foreach (var s in a.reference)
                    for (int f = (int)(s.StartSeconds / 0.01); f < Math.Min(n, (int)(s.EndSeconds / 0.01)); f++) { who[f] = names.IndexOf(s.Speaker); count[f]++; }
                for (int f = 0; f < n; f++) if (labels[f] >= 0 && count[f] == 1) tab[labels[f], who[f]] += 0.01;
                var f0 = new List<double>[k];
                for (int c = 0; c < k; c++) f0[c] = new();
                for (int f = 0; f < n; f++)
                    if (labels[f] >= 0 && mask.Voicing is { } vv && vv[f] >= o.PitchVoicingThreshold && mask.PitchLags![f] > 0) f0[labels[f]].Add(12 / Math.Log(2) * PitchAccumulator.LogF0(mask.PitchLags![f], 16000));
                Console.Write($"{a.Id,-16} {sec,5}s:");
                for (int c = 0; c < k; c++)
                {
                    double m = f0[c].Count > 0 ? f0[c].Average() : 0, sd = f0[c].Count > 1 ? Math.Sqrt(f0[c].Sum(x => (x - m) * (x - m)) / f0[c].Count) : 0;
                    double c0 = 0, c0all = 0; int nc = 0, nall = 0;
                    for (int f = 0; f < n; f++) if (labels[f] >= 0) { c0all += a.mfcc.Row(f)[0]; nall++; if (labels[f] == c) { c0 += a.mfcc.Row(f)[0]; nc++; } }
                    Console.Write($"  [{c} f0 {Math.Pow(2, m / 12):F0}Hz±{sd:F1}st c0 {c0 / Math.Max(1, nc) - c0all / Math.Max(1, nall):+0.0;-0.0}:");
                    for (int j = 0; j < names.Count; j++) if (tab[c, j] >= 1) Console.Write($" {names[j]} {tab[c, j]:F0}");
                    Console.Write("]");
                }
                Console.WriteLine();
                // Quick changes between two clusters: consecutive runs of labels (a run ends at any change or silence)
                // with under GAP frames of silence between them; per pair, against the runs of the smaller cluster.
                int gapMax = int.Parse(Environment.GetEnvironmentVariable("GAP") ?? "50");
                var quick = new int[k, k]; var runs = new int[k];
                int prev = -1, prevEnd = -1;
                for (int f = 0; f < n;)
                {
                    if (labels[f] < 0) { f++; continue; }
                    int c = labels[f], e = f;
                    while (e < n && labels[e] == c) e++;
                    runs[c]++;
                    if (prev >= 0 && prev != c && f - prevEnd < gapMax) { quick[prev, c]++; quick[c, prev]++; }
                    prev = c; prevEnd = e; f = e;
                }
                // Each cluster's MFCC Gaussian (c1..c19, no pitch), the covariance floor and a scratch buffer.
                (GaussianStats[] gs, double[] fl, double[] scr, int dd) ClusterGaussians()
                {
                    var o2 = clusterer.Options;
                    int dd = o2.Coefficients;
                    var gs = new GaussianStats[k];
                    var sess = new GaussianStats(dd);
                    for (int c = 0; c < k; c++) gs[c] = new GaussianStats(dd);
                    for (int f = 0; f < n; f++) if (labels[f] >= 0) { var row = a.mfcc.Row(f).Slice(o2.FirstCoefficient, dd); gs[labels[f]].Add(row); sess.Add(row); }
                    return (gs, new SegmentClusterer(o2).Floor(sess)[..dd], new double[dd * dd], dd);
                }
                if (Environment.GetEnvironmentVariable("COV") == "1")
                {
                    // Per pair: per-frame GLR of the MFCC Gaussians, full and with the means aligned (covariance only).
                    var (gs, fl, scr, dd) = ClusterGaussians();
                    Console.Write("    glr full/cov:");
                    for (int x = 0; x < k; x++)
                        for (int y = x + 1; y < k; y++)
                        {
                            if (gs[x].Count < 1000 || gs[y].Count < 1000) continue;
                            double nn = gs[x].Count + gs[y].Count;
                            double full = 0.5 * (GaussianStats.CostOfUnion(gs[x], gs[y], fl, scr) - gs[x].Cost(fl, scr) - gs[y].Cost(fl, scr)) / nn;
                            var shifted = gs[y].Clone();
                            double ny = gs[y].Count;
                            var mx = gs[x].Sum.Select(v => v / gs[x].Count).ToArray();
                            var my = gs[y].Sum.Select(v => v / ny).ToArray();
                            for (int i = 0; i < dd; i++)
                            {
                                shifted.Sum[i] = ny * mx[i];
                                for (int j = 0; j <= i; j++) shifted.Scatter[i * dd + j] += ny * (mx[i] * mx[j] - my[i] * my[j]);
                            }
                            double cov = 0.5 * (GaussianStats.CostOfUnion(gs[x], shifted, fl, scr) - gs[x].Cost(fl, scr) - shifted.Cost(fl, scr)) / nn;
                            Console.Write($" {x}-{y} {full:F3}/{cov:F3}");
                        }
                    Console.WriteLine();
                }
                if (Environment.GetEnvironmentVariable("LSTAR") == "1")
                {
                    // Per pair of clusters with at least 5 s each: λ* (ΔBIC = 0) of their MFCC Gaussians, labelled by
                    // whether their main voices are the same (round 13: are strong pairwise differences ever one voice?).
                    var (gs, fl, scr, dd) = ClusterGaussians();
                    int Main(int c) { int best = 0; for (int j = 1; j < names.Count; j++) if (tab[c, j] > tab[c, best]) best = j; return best; }
                    var same = new List<double>(); var diff = new List<double>();
                    for (int x = 0; x < k; x++)
                        for (int y = x + 1; y < k; y++)
                        {
                            if (gs[x].Count < 500 || gs[y].Count < 500) continue;
                            double gain = 0.5 * (GaussianStats.CostOfUnion(gs[x], gs[y], fl, scr) - gs[x].Cost(fl, scr) - gs[y].Cost(fl, scr));
                            double ls = gain / (BicClusterer.Penalty(dd) * Math.Log(gs[x].Count + gs[y].Count));
                            (Main(x) == Main(y) ? same : diff).Add(ls);
                        }
                    same.Sort(); diff.Sort();
                    Console.WriteLine($"    lambda* same voice ({same.Count}): max {(same.Count > 0 ? same[^1] : 0):F2} top {string.Join(' ', same.TakeLast(5).Select(v => v.ToString("F2")))}; different ({diff.Count}): min {(diff.Count > 0 ? diff[0] : 0):F2} low {string.Join(' ', diff.Take(5).Select(v => v.ToString("F2")))}");
                }
                Console.Write("    quick:");
                for (int x = 0; x < k; x++)
                    for (int y = x + 1; y < k; y++)
                        if (quick[x, y] > 0) Console.Write($" {x}-{y} {quick[x, y]}/{Math.Min(runs[x], runs[y])}={(double)quick[x, y] / Math.Min(runs[x], runs[y]):F2}");
                Console.WriteLine();
            }
        }
    }
}

static class Pieces
{
    // The phrase segments (offline mask) inside [from, to) seconds, with each one's seconds of each true voice.
    public static void Run(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, double from, double to)
    {
        foreach (var a in analysed)
        {
            var cutter = new PhraseCutter(new SegmentClusteringOptions().MaxSegmentFrames(0.01));
            int frames = a.mask.Frames;
            for (int i = 0; i <= frames; i++)
            {
                bool usable = i < frames && a.mask.IsSpeech[i] && !(a.mask.IsPause?[i] ?? false);
                if (i < frames ? cutter.Push(i, usable, out long s, out long e) : cutter.Finish(frames, out s, out e))
                {
                    if (e * 0.01 < from || s * 0.01 > to) continue;
                    var who = a.reference.Select(r => (r.Speaker, Sec: Math.Max(0, Math.Min(r.EndSeconds, e * 0.01) - Math.Max(r.StartSeconds, s * 0.01))))
                        .Where(x => x.Sec > 0.05).Select(x => $"{x.Speaker} {x.Sec:F2}");
                    Console.WriteLine($"{a.Id} {s * 0.01:F2}-{e * 0.01:F2}: {string.Join(", ", who)}");
                }
            }
        }
    }
}
