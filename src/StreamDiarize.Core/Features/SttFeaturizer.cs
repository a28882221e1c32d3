// Offline featurizer (the seed's STTFeaturizer): whole signal in, feature matrix out, via the streaming pipeline.
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Features;

/// <summary>
/// Computes features for a whole signal. The non-causal steps live here only: the peak gain is measured before
/// the samples enter the shared pipeline, and whole-file normalisation runs on the finished matrix.
/// Stateless between calls and safe to share across threads.
/// </summary>
public sealed class SttFeaturizer
{
    private readonly FeatureBank bank;

    public SttFeaturizer(FeaturizerOptions options)
    {
        Options = options.Validate();
        bank = FeatureBank.For(options);
    }

    public SttFeaturizer()
        : this(new FeaturizerOptions())
    {
    }

    public FeaturizerOptions Options { get; }

    public int Dims => bank.Dims;

    /// <summary>Frames the signal will give: 1 + samples / hop when centred (see <see cref="FeaturizerOptions.CenterFrames"/>).</summary>
    public int FrameCount(int samples) => Options.FrameCount(samples);

    public FeatureMatrix Compute(ReadOnlySpan<float> samples)
    {
        double gain = Options.NormalizeSignalPeak ? PeakGain(samples) : 1.0;
        var pipeline = new FeaturePipeline(Options, bank, gain);
        int frames = FrameCount(samples.Length);
        var sink = new MatrixSink(new float[(long)frames * bank.Dims], bank.Dims);
        pipeline.Push(samples, sink);
        pipeline.Flush(sink);
        if (pipeline.FramesEmitted != frames)
        {
            throw new InvalidOperationException($"Expected {frames} frames but the pipeline emitted {pipeline.FramesEmitted}.");
        }
        if (Options.NormalizePerFeature == FeatureNormalization.WholeFile && frames > 0)
        {
            NormalizeWholeFile(sink.Data, frames, bank.Dims, Options.NormalizationEpsilon);
        }
        return new FeatureMatrix(sink.Data, frames, bank.Dims, Options.HopSeconds, Options.FrameSeconds, Options.FirstFrameCentreSeconds);
    }

    private static double PeakGain(ReadOnlySpan<float> samples)
    {
        float peak = 0;
        foreach (float s in samples)
        {
            peak = Math.Max(peak, Math.Abs(s));
        }
        // Silence stays silence rather than becoming a division by zero.
        return peak > 0 ? 1.0 / peak : 1.0;
    }

    private static void NormalizeWholeFile(float[] data, int frames, int dims, double epsilon)
    {
        // Population statistics (numpy's default ddof=0), accumulated in double.
        for (int d = 0; d < dims; d++)
        {
            double sum = 0;
            for (int t = 0; t < frames; t++)
            {
                sum += data[t * dims + d];
            }
            double mean = sum / frames;
            double squares = 0;
            for (int t = 0; t < frames; t++)
            {
                double diff = data[t * dims + d] - mean;
                squares += diff * diff;
            }
            double scale = 1.0 / (Math.Sqrt(squares / frames) + epsilon);
            for (int t = 0; t < frames; t++)
            {
                data[t * dims + d] = (float)((data[t * dims + d] - mean) * scale);
            }
        }
    }

    private sealed class MatrixSink(float[] data, int dims) : IFrameSink
    {
        public float[] Data { get; } = data;

        public void OnFrame(long frameIndex, ReadOnlySpan<float> features) =>
            features.CopyTo(Data.AsSpan((int)frameIndex * dims, dims));
    }
}
