// Research round 20: on the first N seconds of a conversation, the phrase segments a clustering sees (offline mask):
// how pure they are, how the first stage (average linkage) groups each voice, and λ* (the ΔBIC weight at which a
// merge is refused) of each voice's segments, pooled by majority voice, against the closest other voice's segments.
// Tells whether a late voice waits for its id because its segments are mixed, because the first stage files them with
// another voice, or because the ΔBIC weight is too high for the speech it has.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

static class Stage
{
    public static void Run(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, double[] seconds)
    {
        var o = new SegmentClusteringOptions();
        int d = o.Coefficients;
        var scratch = new double[d * d];
        foreach (var a in analysed)
        {
            int total = Math.Min(a.mask.Frames, a.mfcc.Frames);
            var (names, who, count) = OracleFrames.Reference(a.reference, total);
            foreach (double sec in seconds)
            {
                int frames = Math.Min(total, (int)(sec / 0.01));
                var cutter = new PhraseCutter(o.MaxSegmentFrames(0.01));
                var ranges = new List<(int Start, int End)>();
                for (int i = 0; i <= frames; i++)
                {
                    bool usable = i < frames && a.mask.IsSpeech[i] && !(a.mask.IsPause?[i] ?? false);
                    if (i < frames ? cutter.Push(i, usable, out long s, out long e) : cutter.Finish(frames, out s, out e))
                    {
                        if (e - s >= o.MinSegmentFrames(0.01)) ranges.Add(((int)s, (int)e));
                    }
                }
                var stats = new List<GaussianStats>();
                var comp = new List<double[]>();
                var session = new GaussianStats(d);
                foreach (var (start, end) in ranges)
                {
                    var g = new GaussianStats(d);
                    var c = new double[names.Count + 1];
                    for (int f = start; f < end; f++)
                    {
                        OracleFrames.AddFrame(g, a.mfcc, a.mask, f, o);
                        if (count[f] == 1) c[who[f]] += 0.01; else c[names.Count] += 0.01;
                    }
                    stats.Add(g); comp.Add(c); session.Add(g);
                }
                if (stats.Count < 2) continue;
                var floor = new SegmentClusterer(o).Floor(session);
                int Major(double[] c) { int b = 0; for (int j = 1; j < names.Count; j++) if (c[j] > c[b]) b = j; return b; }
                // Purity: per voice, seconds in segments it leads, and seconds of other voices (or overlap) inside them.
                Console.WriteLine($"{a.Id} first {sec} s: {stats.Count} segments");
                var byVoice = names.Select(_ => new GaussianStats(d)).ToArray();
                var own = new double[names.Count]; var foreign = new double[names.Count];
                for (int i = 0; i < stats.Count; i++)
                {
                    int m = Major(comp[i]);
                    byVoice[m].Add(stats[i]);
                    own[m] += comp[i][m];
                    foreign[m] += comp[i].Sum() - comp[i][m];
                }
                // First stage, as SegmentClusterer.Cluster does it before ΔBIC.
                var costs = stats.Select(g => g.Cost(floor, scratch)).ToArray();
                var dist = SegmentClusterer.Distances(stats, costs, floor);
                var w = new double[stats.Count]; Array.Fill(w, 1.0);
                var merges = AgglomerativeClusterer.LinkageOfDistances(dist, stats.Count, w);
                int applied = 0;
                while (applied < merges.Length && merges[applied].Distance <= o.DistanceThreshold) applied++;
                int target = Math.Clamp(stats.Count - applied, 1, Math.Min(64, stats.Count));
                var labels = AgglomerativeClusterer.Cut(merges, stats.Count, stats.Count - target);
                int k = labels.Max() + 1;
                var groupComp = new double[k, names.Count + 1];
                for (int i = 0; i < stats.Count; i++) for (int j = 0; j <= names.Count; j++) groupComp[labels[i], j] += comp[i][j];
                double lambda = o.MergeLambdaFor(stats.Sum(g => g.Count) * 0.01);
                for (int v = 0; v < names.Count; v++)
                {
                    if (own[v] < 1) continue;
                    // λ* of this voice's segments (by majority) against the closest other voice's.
                    double best = double.PositiveInfinity; string closest = "";
                    for (int u = 0; u < names.Count; u++)
                    {
                        if (u == v || byVoice[u].Count < 100) continue;
                        double ls = OracleFrames.LambdaStar(byVoice[v], byVoice[u], floor, scratch);
                        if (ls < best) { best = ls; closest = names[u]; }
                    }
                    // The first-stage groups where this voice's speech went: seconds of it, and the group's purity.
                    var groups = new List<string>();
                    for (int g = 0; g < k; g++)
                    {
                        if (groupComp[g, v] < 1) continue;
                        double all = 0; for (int j = 0; j <= names.Count; j++) all += groupComp[g, j];
                        groups.Add($"g{g}:{groupComp[g, v]:F0}/{all:F0}");
                    }
                    Console.WriteLine($"  {names[v],-10} {own[v],5:F1} s in {byVoice[v].Count / 100:F1} s of segments it leads ({foreign[v]:F1} s other or overlap); λ* vs {closest} {best:F2} (weight {lambda:F2}); groups {string.Join(' ', groups)}");
                }
            }
        }
    }
}
