// Research round 12: nuisance attribute projection (NAP). The within-speaker scatter of turn means (how one voice's
// MFCC mean moves from turn to turn: phonetic content, recording session, level) is learnt on the training files'
// reference turns; its top K directions are removed from every frame. The kept directions are written first into the
// segment coefficients' slice, so `Coefficients = 19 - K` clusters in the projected space.
using MathNet.Numerics.LinearAlgebra;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

static class Nap
{
    /// <summary>NAP="K|sub1,sub2[|minTurnSeconds]": learn on the files whose id contains a sub, project every file.</summary>
    public static void Apply(List<(string Id, double DurationSeconds, SpeechMask mask, FeatureMatrix mfcc, IReadOnlyList<SpeakerSegment> reference, bool Ami)> analysed, string spec)
    {
        var parts = spec.Split('|');
        int k = int.Parse(parts[0]);
        var train = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries);
        double minTurn = parts.Length > 2 ? double.Parse(parts[2]) : 1.0;
        var o = new SegmentClusteringOptions();
        int d = o.Coefficients, first = o.FirstCoefficient;
        var within = Matrix<double>.Build.Dense(d, d);
        var between = Matrix<double>.Build.Dense(d, d);
        int turns = 0, speakers = 0;
        foreach (var a in analysed.Where(a => train.Any(s => a.Id.Contains(s))))
        {
            int frames = Math.Min(a.mask.Frames, a.mfcc.Frames);
            var count = new int[frames];
            foreach (var s in a.reference)
                for (int f = (int)(s.StartSeconds / 0.01); f < Math.Min(frames, (int)(s.EndSeconds / 0.01)); f++) count[f]++;
            var bySpeaker = new Dictionary<string, List<double[]>>();
            foreach (var s in a.reference)
            {
                var sum = new double[d]; int n = 0;
                for (int f = (int)(s.StartSeconds / 0.01); f < Math.Min(frames, (int)(s.EndSeconds / 0.01)); f++)
                {
                    if (count[f] != 1 || !a.mask.IsSpeech[f] || (a.mask.IsPause?[f] ?? false)) continue;
                    var row = a.mfcc.Row(f).Slice(first, d);
                    for (int j = 0; j < d; j++) sum[j] += row[j];
                    n++;
                }
                if (n < minTurn / 0.01) continue;
                for (int j = 0; j < d; j++) sum[j] /= n;
                if (!bySpeaker.TryGetValue(s.Speaker, out var list)) bySpeaker[s.Speaker] = list = [];
                list.Add(sum);
            }
            var fileMean = new double[d]; int fileTurns = 0;
            foreach (var (_, list) in bySpeaker) foreach (var m in list) { for (int j = 0; j < d; j++) fileMean[j] += m[j]; fileTurns++; }
            for (int j = 0; j < d; j++) fileMean[j] /= Math.Max(1, fileTurns);
            foreach (var (_, list) in bySpeaker)
            {
                if (list.Count < 2) continue;
                var mu = new double[d];
                foreach (var m in list) for (int j = 0; j < d; j++) mu[j] += m[j] / list.Count;
                foreach (var m in list)
                    for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) within[i, j] += (m[i] - mu[i]) * (m[j] - mu[j]);
                for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) between[i, j] += (mu[i] - fileMean[i]) * (mu[j] - fileMean[j]);
                turns += list.Count; speakers++;
            }
        }
        within /= Math.Max(1, turns);
        between /= Math.Max(1, speakers);
        var evd = within.Evd(Symmetricity.Symmetric);
        // Eigenvalues ascending in MathNet: the largest (nuisance) last.
        var order = Enumerable.Range(0, d).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        var v = evd.EigenVectors;
        Console.Error.WriteLine($"NAP: {turns} turns of {speakers} file-speakers; within eigenvalues {string.Join(" ", order.Select(i => evd.EigenValues[i].Real.ToString("F2")))}");
        Console.Error.WriteLine($"     between-speaker variance along them {string.Join(" ", order.Select(i => (v.Column(i) * between * v.Column(i)).ToString("F2")))}");
        // Kept directions (smallest within first... keep original order of remaining), then the removed ones.
        var kept = order.Skip(k).Concat(order.Take(k)).ToArray();
        var basis = new double[d, d];
        for (int r = 0; r < d; r++) for (int j = 0; j < d; j++) basis[r, j] = v[j, kept[r]];
        var x = new double[d];
        foreach (var a in analysed)
        {
            for (int f = 0; f < a.mfcc.Frames; f++)
            {
                var row = a.mfcc.Data.AsSpan(f * a.mfcc.Dims + first, d);
                for (int j = 0; j < d; j++) x[j] = row[j];
                for (int r = 0; r < d; r++)
                {
                    double y = 0;
                    for (int j = 0; j < d; j++) y += basis[r, j] * x[j];
                    row[r] = (float)y;
                }
            }
        }
    }
}
