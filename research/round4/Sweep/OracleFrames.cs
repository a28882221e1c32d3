// Shared by the round-20 oracle modes (TIED, STAGE): each frame's reference voice, a frame added to a segment model as
// the segment diarizer adds it, and λ*, the ΔBIC weight at which two Gaussians stop merging.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

static class OracleFrames
{
    /// <summary>The reference's voices, and per 10-ms frame the voice speaking (Who) and how many speak (Count).</summary>
    public static (List<string> Names, int[] Who, int[] Count) Reference(IReadOnlyList<SpeakerSegment> reference, int frames)
    {
        var names = reference.Select(s => s.Speaker).Distinct().ToList();
        var who = new int[frames];
        var count = new int[frames];
        foreach (var s in reference)
        {
            for (int f = (int)(s.StartSeconds / 0.01); f < Math.Min(frames, (int)(s.EndSeconds / 0.01)); f++) { who[f] = names.IndexOf(s.Speaker); count[f]++; }
        }
        return (names, who, count);
    }

    /// <summary>Frame <paramref name="f"/>'s MFCCs, and its log F0 when voiced, into <paramref name="g"/>.</summary>
    public static void AddFrame(GaussianStats g, FeatureMatrix mfcc, SpeechMask mask, int f, SegmentClusteringOptions o)
    {
        g.Add(mfcc.Row(f).Slice(o.FirstCoefficient, o.Coefficients));
        if (mask.Voicing is { } v && v[f] >= o.PitchVoicingThreshold && mask.PitchLags![f] > 0)
        {
            g.AddAux(PitchAccumulator.LogF0(mask.PitchLags![f], 16000));
        }
    }

    /// <summary>The full-covariance ΔBIC weight at which <paramref name="x"/> and <paramref name="y"/> stop merging.</summary>
    public static double LambdaStar(GaussianStats x, GaussianStats y, double[] floor, double[] scratch)
    {
        double gain = 0.5 * (GaussianStats.CostOfUnion(x, y, floor, scratch) - x.Cost(floor, scratch) - y.Cost(floor, scratch));
        return gain / (BicClusterer.Penalty(x.Dims, floor.Length > x.Dims) * Math.Log(x.Count + y.Count));
    }
}
