// A live window's raw vector from the frame history: the shared window statistics, or a speaker model's embedding.
using StreamDiarize.Core.Embedding;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// The live side of <see cref="WindowVectorizer"/>: the same rules and statistics the offline embedder uses, read
/// from the <see cref="FrameHistory"/> rings. With an <see cref="IWindowEmbedder"/>, a window's samples (placed as
/// offline) go through the model instead and its embedding is used as it comes. Vectors come from the
/// <see cref="VectorPool"/>, so a long session's steady state allocates none.
/// </summary>
public sealed class LiveWindowVectorizer
{
    private readonly WindowVectorizer _rules;
    private readonly FrameHistory _frames;
    private readonly VectorPool _pool;
    private readonly WindowSpace _space;
    private readonly IWindowEmbedder? _embedder;
    private readonly float[] _windowBuffer = [];
    private readonly float[] _embedding = [];
    private readonly SampleRange[] _oneWindow = new SampleRange[1];

    public LiveWindowVectorizer(WindowVectorizer rules, FrameHistory frames, VectorPool pool, WindowSpace space, IWindowEmbedder? embedder)
    {
        _rules = rules;
        _frames = frames;
        _pool = pool;
        _space = space;
        _embedder = embedder;
        if (embedder is not null)
        {
            _windowBuffer = new float[rules.WindowSamples];
            _embedding = new float[space.Dims];
        }
        // With the voicing cue, splitting statistics use voiced frames only; without it, they are the window's own.
        SeparateSplitStatistics = space.PitchDims > 0 && rules.Options.SplitVoicingThreshold > 0;
    }

    public WindowVectorizer Rules => _rules;

    /// <summary>Whether <see cref="SplitVector"/> takes statistics of its own (else the window vector serves).</summary>
    public bool SeparateSplitStatistics { get; }

    /// <summary>The raw vector of the window over frames [start, end); null when it has too little speech to be kept.</summary>
    public double[]? Vector(long start, long end)
    {
        int count = 0;
        for (long t = start; t < end; t++)
        {
            if (_frames.IsSpeech(t))
            {
                count++;
            }
        }
        if (!_rules.Keeps(count))
        {
            return null;
        }
        return _embedder is null ? Statistics(start, end) : Embed(start);
    }

    private double[] Statistics(long start, long end)
    {
        var vector = _pool.Rent();
        int coefficients = _rules.Options.CoefficientCount;
        var deviation = _rules.Options.IncludeStd ? vector.AsSpan(coefficients, coefficients) : [];
        WindowVectorizer.Moments(_frames.AsWindowFrames(), start, end, 0, 1, vector.AsSpan(0, coefficients), deviation);
        if (_space.PitchDims > 0)
        {
            _rules.Pitch(_frames.AsWindowFrames(), start, end, vector.AsSpan(_space.StatsDims, 2));
        }
        return vector;
    }

    /// <summary>
    /// The window's raw statistics for splitting: MFCC mean and deviation over the speech frames voiced above
    /// <see cref="WindowStatsEmbedderOptions.SplitVoicingThreshold"/>, then the window's pitch pair. Null when too few
    /// frames are voiced, or when the window holds a bridged pause (it likely spans two turns).
    /// </summary>
    public double[]? SplitVector(long start, long end, double[] vector)
    {
        if (!SeparateSplitStatistics)
        {
            return vector;
        }
        for (long t = start; t < end; t++)
        {
            if (_frames.IsPause(t))
            {
                return null;
            }
        }
        var options = _rules.Options;
        int coefficients = options.CoefficientCount;
        var split = _pool.Rent();
        var deviation = options.IncludeStd ? split.AsSpan(coefficients, coefficients) : [];
        int used = WindowVectorizer.Moments(_frames.AsWindowFrames(), start, end, options.SplitVoicingThreshold, options.MinStatisticsFrames, split.AsSpan(0, coefficients), deviation);
        if (used < options.MinStatisticsFrames)
        {
            _pool.Return(split);
            return null;
        }
        vector.AsSpan(_space.StatsDims, _space.PitchDims).CopyTo(split.AsSpan(_space.StatsDims, _space.PitchDims));
        return split;
    }

    /// <summary>The window's samples through the embedder, unit length as the model gives it; no statistics are taken.</summary>
    private double[] Embed(long startFrame)
    {
        int length = _rules.SampleCount(startFrame, _frames.ReceivedSamples);
        _frames.CopySamples(startFrame * _rules.HopSamples, _windowBuffer.AsSpan(0, length));
        _oneWindow[0] = new SampleRange(0, length);
        _embedder!.EmbedWindows(_windowBuffer.AsMemory(0, length), _oneWindow, _embedding);
        var vector = _pool.Rent();
        for (int k = 0; k < vector.Length; k++)
        {
            vector[k] = _embedding[k];
        }
        return vector;
    }
}
