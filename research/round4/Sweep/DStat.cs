// DSTAT=1 (round 23): quantiles of the first stage's pairwise segment distances per file, and the median distance of a
// segment to its nearest other segment: how noise moves the scale the fixed first-stage threshold is on.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

static class DStat
{
    public static void Run(string id, SpeechMask mask, FeatureMatrix mfcc, SegmentClusteringOptions o)
    {
        int frames = Math.Min(mask.Frames, mfcc.Frames);
        var cutter = new PhraseCutter(o.MaxSegmentFrames(mask.HopSeconds));
        var segs = new List<GaussianStats>();
        var session = new GaussianStats(o.Coefficients);
        for (int i = 0; i <= frames; i++)
        {
            bool usable = i < frames && mask.IsSpeech[i] && (mask.IsPause is null || !mask.IsPause[i]);
            if (i < frames ? cutter.Push(i, usable, out long s, out long e) : cutter.Finish(frames, out s, out e))
            {
                if (e - s < o.MinSegmentFrames(mask.HopSeconds)) continue;
                var g = new GaussianStats(o.Coefficients);
                for (long f = s; f < e; f++) g.Add(mfcc.Row((int)f).Slice(o.FirstCoefficient, o.Coefficients));
                segs.Add(g); session.Add(g);
            }
        }
        var clusterer = new SegmentClusterer(o);
        var floor = clusterer.Floor(session)[..o.Coefficients];
        var scratch = new double[o.Coefficients * o.Coefficients];
        var costs = segs.Select(g => g.Cost(floor, scratch)).ToList();
        var dist = SegmentClusterer.Distances(segs, costs, floor);
        var sorted = dist.OrderBy(x => x).ToArray();
        int n = segs.Count;
        var nn = new double[n];
        Array.Fill(nn, double.MaxValue);
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) { double v = dist[AgglomerativeClusterer.Index(i, j, n)]; nn[i] = Math.Min(nn[i], v); nn[j] = Math.Min(nn[j], v); }
        Array.Sort(nn);
        double Q(double q) => sorted[(int)(q * (sorted.Length - 1))];
        Console.WriteLine($"DSTAT {id,-20} segs {n,4} q10 {Q(0.1):F2} q25 {Q(0.25):F2} q50 {Q(0.5):F2} nn50 {nn[n / 2]:F2} nn25 {nn[n / 4]:F2}");
    }
}
