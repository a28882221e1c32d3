// Causal per-band standardisation for streams: cumulative statistics at first, then an exponential window.
namespace StreamDiarize.Core.Features;

/// <summary>
/// Mean and variance per band with weight alpha = 1 / min(n, N) for the n-th frame. For n &lt;= N this is exactly
/// Welford's cumulative mean and population variance; after that it is an EMA with time constant N frames.
/// </summary>
internal sealed class RunningFeatureNormalizer
{
    private readonly double[] mean;
    private readonly double[] variance;
    private readonly int windowFrames;
    private readonly double epsilon;
    private long count;

    public RunningFeatureNormalizer(int dims, int windowFrames, double epsilon)
    {
        mean = new double[dims];
        variance = new double[dims];
        this.windowFrames = windowFrames;
        this.epsilon = epsilon;
    }

    public void Reset()
    {
        Array.Clear(mean);
        Array.Clear(variance);
        count = 0;
    }

    /// <summary>Folds the frame into the statistics, then normalises it in place.</summary>
    public void Apply(Span<float> frame)
    {
        count++;
        double alpha = 1.0 / Math.Min(count, windowFrames);
        for (int d = 0; d < frame.Length; d++)
        {
            double x = frame[d];
            double diff = x - mean[d];
            double step = alpha * diff;
            mean[d] += step;
            variance[d] = (1 - alpha) * (variance[d] + diff * step);
            frame[d] = (float)((x - mean[d]) / (Math.Sqrt(variance[d]) + epsilon));
        }
    }
}
