// Conditioning, centred framing and the frame processor behind both featurizers: the one implementation.
namespace StreamDiarize.Core.Features;

/// <summary>
/// Accepts samples in any chunking and emits every centred STFT frame as soon as its Nfft samples are known.
/// Centred (librosa center=True, pad_mode='constant'): the padded signal is Nfft/2 zeros, the conditioned signal,
/// Nfft/2 zeros; frame t covers padded[t*hop, t*hop + Nfft), and a signal of L samples gives 1 + L / hop frames.
/// Not centred: the padding is just what puts the window (centred in the Nfft points) on samples [t*hop, t*hop + frame),
/// so only whole frames come out.
/// </summary>
internal sealed class FeaturePipeline
{
    private readonly SignalConditioner conditioner;
    private readonly FrameProcessor processor;
    private readonly RunningFeatureNormalizer? running;
    private readonly int fftSize;
    private readonly int hop;
    private readonly int leftPadding;
    private readonly int rightPadding;
    private readonly double[] buffer;
    private readonly float[] frameOut;
    private long bufferStart;   // padded-signal index of buffer[0]
    private int bufferCount;
    private long nextFrame;
    private bool flushed;

    public FeaturePipeline(FeaturizerOptions options, FeatureBank bank, double gain)
    {
        conditioner = new SignalConditioner(options, gain);
        processor = new FrameProcessor(bank, options.LogFloor);
        running = options.NormalizePerFeature == FeatureNormalization.Running
            ? new RunningFeatureNormalizer(bank.Dims, options.RunningNormalizationFrames, options.NormalizationEpsilon)
            : null;
        fftSize = bank.FftSize;
        hop = options.HopSamples;
        if (options.CenterFrames)
        {
            leftPadding = fftSize / 2;
            rightPadding = fftSize / 2;
        }
        else
        {
            leftPadding = (fftSize - options.FrameSamples) / 2;
            rightPadding = fftSize - options.FrameSamples - leftPadding;
        }
        // Room for a frame plus a hop or a few thousand new samples, so compaction (a short copy) is rare.
        buffer = new double[2 * fftSize + Math.Max(hop, 4096)];
        frameOut = new float[bank.Dims];
        Reset();
    }

    public int Dims => frameOut.Length;

    public long FramesEmitted => nextFrame;

    public long SamplesPushed { get; private set; }

    public bool IsFlushed => flushed;

    public void Reset()
    {
        conditioner.Reset();
        running?.Reset();
        Array.Clear(buffer);
        bufferStart = 0;
        bufferCount = leftPadding; // already zero
        nextFrame = 0;
        SamplesPushed = 0;
        flushed = false;
    }

    public int Push(ReadOnlySpan<float> samples, IFrameSink sink)
    {
        if (flushed)
        {
            throw new InvalidOperationException("The stream was flushed: call Reset() before pushing a new stream.");
        }
        int emitted = 0;
        while (!samples.IsEmpty)
        {
            int n = Math.Min(MakeRoom(), samples.Length);
            conditioner.Process(samples[..n], buffer.AsSpan(bufferCount, n));
            bufferCount += n;
            SamplesPushed += n;
            samples = samples[n..];
            emitted += EmitReady(sink);
        }
        return emitted;
    }

    /// <summary>Appends the right padding (zeros, not conditioned) and emits the trailing frames.</summary>
    public int Flush(IFrameSink sink)
    {
        if (flushed)
        {
            return 0;
        }
        flushed = true;
        int emitted = 0;
        int padding = rightPadding;
        while (padding > 0)
        {
            int n = Math.Min(MakeRoom(), padding);
            buffer.AsSpan(bufferCount, n).Clear();
            bufferCount += n;
            padding -= n;
            emitted += EmitReady(sink);
        }
        return emitted;
    }

    private int MakeRoom()
    {
        if (bufferCount == buffer.Length)
        {
            // Samples before the next frame's start are never needed again.
            int drop = (int)Math.Min(bufferCount, nextFrame * hop - bufferStart);
            buffer.AsSpan(drop, bufferCount - drop).CopyTo(buffer);
            bufferCount -= drop;
            bufferStart += drop;
        }
        return buffer.Length - bufferCount;
    }

    private int EmitReady(IFrameSink sink)
    {
        int emitted = 0;
        while (nextFrame * hop + fftSize <= bufferStart + bufferCount)
        {
            int offset = (int)(nextFrame * hop - bufferStart);
            processor.Process(buffer.AsSpan(offset, fftSize), frameOut);
            running?.Apply(frameOut);
            sink.OnFrame(nextFrame, frameOut);
            nextFrame++;
            emitted++;
        }
        return emitted;
    }
}
