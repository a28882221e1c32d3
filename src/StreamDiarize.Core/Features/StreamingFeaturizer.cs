// Streaming featurizer: push chunks of any size, receive each frame as soon as its samples are in.
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Features;

/// <summary>
/// Same frames as <see cref="SttFeaturizer"/> for causal options (no peak normalisation, feature normalisation
/// None or Running), whatever the chunking. One instance is one stream: not thread-safe; the tables are shared.
/// Frames are delivered as spans into a reused buffer, so the per-frame path allocates nothing.
/// </summary>
public sealed class StreamingFeaturizer
{
    private readonly FeaturePipeline pipeline;
    private readonly CallbackSink callbackSink = new();

    public StreamingFeaturizer(FeaturizerOptions options)
    {
        var errors = new List<string>(options.GetValidationErrors());
        if (options.NormalizeSignalPeak)
        {
            errors.Add("NormalizeSignalPeak true needs the whole signal: set it false for streaming (options.AsCausal() does).");
        }
        if (options.NormalizePerFeature == FeatureNormalization.WholeFile)
        {
            errors.Add("NormalizePerFeature WholeFile needs the whole file: use Running or None for streaming (options.AsCausal() picks Running).");
        }
        OptionsValidationException.ThrowIfAny(errors);
        Options = options;
        var bank = FeatureBank.For(options);
        pipeline = new FeaturePipeline(options, bank, gain: 1.0);
    }

    public FeaturizerOptions Options { get; }

    public int Dims => pipeline.Dims;

    public double HopSeconds => Options.HopSeconds;

    public long FramesEmitted => pipeline.FramesEmitted;

    public long SamplesPushed => pipeline.SamplesPushed;

    /// <summary>Feeds samples; returns how many frames were delivered to <paramref name="sink"/>.</summary>
    public int Push(ReadOnlySpan<float> chunk, IFrameSink sink) => pipeline.Push(chunk, sink);

    /// <inheritdoc cref="Push(ReadOnlySpan{float}, IFrameSink)"/>
    public int Push(ReadOnlySpan<float> chunk, FrameCallback callback)
    {
        callbackSink.Callback = callback;
        try
        {
            return pipeline.Push(chunk, callbackSink);
        }
        finally
        {
            callbackSink.Callback = null;
        }
    }

    /// <summary>Ends the stream: pads Nfft/2 zeros on the right and delivers the trailing centred frames.</summary>
    public int Flush(IFrameSink sink) => pipeline.Flush(sink);

    /// <inheritdoc cref="Flush(IFrameSink)"/>
    public int Flush(FrameCallback callback)
    {
        callbackSink.Callback = callback;
        try
        {
            return pipeline.Flush(callbackSink);
        }
        finally
        {
            callbackSink.Callback = null;
        }
    }

    /// <summary>Starts a new stream with the same options: dither restarts from its seed, statistics are cleared.</summary>
    public void Reset() => pipeline.Reset();

    private sealed class CallbackSink : IFrameSink
    {
        public FrameCallback? Callback { get; set; }

        public void OnFrame(long frameIndex, ReadOnlySpan<float> features) => Callback!(frameIndex, features);
    }
}
