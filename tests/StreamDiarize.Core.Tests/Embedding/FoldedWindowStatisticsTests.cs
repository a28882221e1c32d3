// The live diarizer's points for splitting: single windows normalise as the offline statistics do, and pre-clusters
// held as sums normalise a subset exactly as the windows they hold would.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;

namespace StreamDiarize.Core.Tests.Embedding;

public class FoldedWindowStatisticsTests
{
    // As many MFCC statistics as the default embedding has (mean and deviation of c1..c19).
    private const int Dims = 38;
    private const double PitchWeight = 2;

    /// <summary>Raw statistics of <paramref name="count"/> windows: the MFCC statistics, then a pitch pair that is NaN for every fifth window.</summary>
    private static (double[] Mfcc, double[] Pitch) Windows(int count, int seed = 3)
    {
        var random = new Random(seed);
        var mfcc = new double[count * Dims];
        var pitch = new double[count * 2];
        for (int w = 0; w < count; w++)
        {
            for (int k = 0; k < Dims; k++)
            {
                mfcc[w * Dims + k] = 10 * k + (k + 1) * (random.NextDouble() - 0.5) + (w / 20 % 2);
            }
            pitch[w * 2] = w % 5 == 0 ? double.NaN : 5 + 0.3 * random.NextDouble();
            pitch[w * 2 + 1] = w % 5 == 0 ? double.NaN : 0.1 * random.NextDouble();
        }
        return (mfcc, pitch);
    }

    private static double[] Row(double[] mfcc, double[] pitch, int w) =>
        [.. mfcc.AsSpan(w * Dims, Dims), pitch[w * 2], pitch[w * 2 + 1]];

    private static FoldedWindowStatistics Singles(double[] mfcc, double[] pitch, int count)
    {
        var singles = new FoldedWindowStatistics(Dims, true, PitchWeight, 1e-8, count);
        for (int w = 0; w < count; w++)
        {
            singles.AddWindow(Row(mfcc, pitch, w));
        }
        return singles;
    }

    [Fact]
    public void Single_windows_normalise_exactly_as_the_offline_statistics_do()
    {
        var (mfcc, pitch) = Windows(60);
        var offline = new WindowStatistics(mfcc, Dims, pitch, PitchWeight, 1e-8);
        var singles = Singles(mfcc, pitch, 60);
        int[] subset = [.. Enumerable.Range(0, 60).Where(w => w % 3 != 1)];

        var expected = offline.Normalise(subset);
        var actual = singles.Normalise(subset);

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-9);
        }
        Assert.Equal(RowSimilarity.DotProduct, singles.Similarity);
        Assert.Equal(1, singles.SplitWindows(7));
    }

    [Fact]
    public void Pre_cluster_sums_give_the_same_z_score_as_the_windows_they_hold()
    {
        var (mfcc, pitch) = Windows(64);
        // The windows folded in runs of eight, as the live diarizer folds old windows.
        var folded = new FoldedWindowStatistics(Dims, true, PitchWeight, 1e-8, 8);
        for (int run = 0; run < 8; run++)
        {
            var sums = new RunningWindowStatistics(Dims + 2);
            for (int w = 8 * run; w < 8 * run + 8; w++)
            {
                sums.Add(Row(mfcc, pitch, w));
            }
            Assert.Equal(run, folded.AddFolded(sums));
            Assert.Equal(8, folded.SplitWindows(run));
        }
        // Over runs 2..6, against the mean and deviation of the 40 windows they hold, taken window by window.
        int[] runs = [2, 3, 4, 5, 6];
        Span<double> mean = stackalloc double[Dims + 2], scale = stackalloc double[Dims + 2];
        folded.ZScoreOver(runs, mean, scale);

        for (int k = 0; k < Dims + 2; k++)
        {
            var values = Enumerable.Range(16, 40).Select(w => Row(mfcc, pitch, w)[k]).Where(x => !double.IsNaN(x)).ToArray();
            double m = values.Average();
            double std = Math.Sqrt(values.Sum(x => (x - m) * (x - m)) / values.Length);
            Assert.Equal(m, mean[k], 1e-9);
            Assert.Equal(1 / (std + 1e-8), scale[k], 1e-6 / std);
        }
    }

    [Fact]
    public void A_pre_cluster_compares_with_a_window_as_its_windows_do_on_average()
    {
        var (mfcc, pitch) = Windows(48);
        var singles = Singles(mfcc, pitch, 48);
        var folded = new FoldedWindowStatistics(Dims, true, PitchWeight, 1e-8, 48 - 8 + 1);
        var sums = new RunningWindowStatistics(Dims + 2);
        for (int w = 0; w < 8; w++)
        {
            sums.Add(Row(mfcc, pitch, w));
        }
        folded.AddFolded(sums);
        for (int w = 8; w < 48; w++)
        {
            folded.AddWindow(Row(mfcc, pitch, w));
        }
        var windowRows = singles.Normalise([.. Enumerable.Range(0, 48)]);
        var pointRows = folded.Normalise([.. Enumerable.Range(0, 41)]);

        for (int other = 8; other < 48; other++)
        {
            // Average linkage starts from the mean similarity between the pre-cluster's windows and the other window.
            double mean = 0;
            for (int w = 0; w < 8; w++)
            {
                mean += Dot(windowRows.AsSpan(w * (Dims + 2), Dims + 2), windowRows.AsSpan(other * (Dims + 2), Dims + 2)) / 8;
            }
            double point = Dot(pointRows.AsSpan(0, Dims + 2), pointRows.AsSpan((other - 7) * (Dims + 2), Dims + 2));
            Assert.InRange(point - mean, -0.02, 0.02);
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++)
        {
            s += a[k] * b[k];
        }
        return s;
    }
}
