// The last seconds of a live session's voice features (per frame: the MFCCs a voice model reads and the log F0): what
// naming a live speaker and enrolling a speaker from a time range of the session read. Bounded however long the session.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Speakers;

/// <summary>
/// A ring of the newest <see cref="CapacitySeconds"/> of frames, each the <see cref="SegmentClusteringOptions.Coefficients"/>
/// MFCCs from <see cref="SegmentClusteringOptions.FirstCoefficient"/> and the log F0 of voiced frames (NaN otherwise):
/// <see cref="BytesPerSecond"/> bytes a second of audio (7.8 KiB/s with the default 19 MFCCs and 10 ms hop). Kept instead of
/// audio because these are exactly what a <c>features/v1</c> profile is made of, at an eighth of 16 kHz float PCM. The
/// pipeline writes it (<see cref="VoiceHistoryRecorder"/>) while a gRPC call may read it, so both take one lock.
/// </summary>
public sealed class VoiceFrameHistory
{
    /// <summary>Frames per block: the ring grows a block at a time (10 s at 10 ms), so a short session holds little.</summary>
    private const int BlockFrames = 1000;

    private readonly AnalysisFrameLayout _layout;
    private readonly int _first;
    private readonly int _dims;
    private readonly int _stride;
    private readonly double _voicingThreshold;
    private readonly int _sampleRateHz;
    private readonly float[]?[] _blocks;
    private readonly Lock _lock = new();
    private long _newest = -1;

    public VoiceFrameHistory(double capacitySeconds, double hopSeconds, AnalysisFrameLayout layout, SegmentClusteringOptions segments, int sampleRateHz)
    {
        if (!(capacitySeconds > 0) || !(hopSeconds > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(capacitySeconds), $"A voice history of {capacitySeconds} s at a {hopSeconds} s hop is invalid: both must be positive.");
        }
        if (layout.MfccCount < segments.FirstCoefficient + segments.Coefficients)
        {
            throw new ArgumentException($"The frames carry {layout.MfccCount} MFCCs; a voice model needs {segments.FirstCoefficient + segments.Coefficients}.", nameof(layout));
        }
        _layout = layout;
        _first = segments.FirstCoefficient;
        _dims = segments.Coefficients;
        _stride = _dims + 1;
        _voicingThreshold = segments.PitchVoicingThreshold;
        _sampleRateHz = sampleRateHz;
        HopSeconds = hopSeconds;
        int blocks = (int)Math.Ceiling(capacitySeconds / hopSeconds / BlockFrames);
        _blocks = new float[blocks][];
        CapacityFrames = blocks * BlockFrames;
    }

    public double HopSeconds { get; }

    /// <summary>Frames the ring holds when full (the capacity asked for, rounded up to whole blocks).</summary>
    public int CapacityFrames { get; }

    public double CapacitySeconds => CapacityFrames * HopSeconds;

    /// <summary>Memory per second of audio kept: one float per MFCC and one for the log F0, per frame.</summary>
    public static double BytesPerSecond(SegmentClusteringOptions segments, double hopSeconds) => (segments.Coefficients + 1) * sizeof(float) / hopSeconds;

    /// <summary>The stretch of stream time [Start, End) whose frames are kept now; (0, 0) before the first frame.</summary>
    public (double Start, double End) Kept
    {
        get
        {
            lock (_lock)
            {
                return (OldestFrame() * HopSeconds, (_newest + 1) * HopSeconds);
            }
        }
    }

    /// <summary>
    /// Keeps frame <paramref name="frameIndex"/> (frames come in order), replacing the oldest once full. Allocates only
    /// while the ring grows: one block per <c>BlockFrames</c> frames until the capacity, never after.
    /// </summary>
    public void Record(long frameIndex, ReadOnlySpan<float> frame)
    {
        int slot = (int)(frameIndex % CapacityFrames);
        lock (_lock)
        {
            var block = _blocks[slot / BlockFrames] ??= new float[BlockFrames * _stride];
            var row = block.AsSpan(slot % BlockFrames * _stride, _stride);
            _layout.Mfcc(frame).Slice(_first, _dims).CopyTo(row);
            float lag = AnalysisFrameLayout.PitchLag(frame);
            row[_dims] = _voicingThreshold > 0 && AnalysisFrameLayout.Voicing(frame) >= _voicingThreshold && lag > 0
                ? (float)PitchAccumulator.LogF0(lag, _sampleRateHz)
                : float.NaN;
            _newest = frameIndex;
        }
    }

    /// <summary>The Gaussian of the kept frames in [<paramref name="start"/>, <paramref name="end"/>) seconds; frames no longer kept are not counted.</summary>
    /// <param name="usable">When given, only the frames it accepts (speech that is not a bridged pause) are counted.</param>
    public GaussianStats Model(double start, double end, Func<long, bool>? usable = null)
    {
        var stats = new GaussianStats(_dims);
        lock (_lock)
        {
            var (from, to) = Frames(start, end);
            for (long f = from; f < to; f++)
            {
                if (usable is null || usable(f))
                {
                    Add(stats, Row(f));
                }
            }
        }
        return stats;
    }

    /// <summary>
    /// One Gaussian per speaker of <paramref name="turns"/> from the kept frames in [<paramref name="start"/>,
    /// <paramref name="end"/>): a frame counts for a speaker when that speaker's turns hold it and no other speaker's do
    /// (overlap left out), as <see cref="FeatureVoiceModeller.ModelSpeakers"/> does for a recording. Speakers with no
    /// such frame are left out.
    /// </summary>
    public Dictionary<string, GaussianStats> ModelSpeakers(IReadOnlyList<SpeakerSegment> turns, double start, double end)
    {
        long from, to;
        float[] copy;
        // Copied out under the lock, modelled outside it: the session's pipeline waits only for the copy.
        lock (_lock)
        {
            (from, to) = Frames(start, end);
            copy = new float[(to - from) * _stride];
            for (long f = from; f < to; f++)
            {
                Row(f).CopyTo(copy.AsSpan((int)(f - from) * _stride, _stride));
            }
        }
        var (owner, names) = TurnOwnership.SoloOwners(turns, from, (int)(to - from), HopSeconds);
        var stats = new GaussianStats?[names.Count];
        for (int i = 0; i < owner.Length; i++)
        {
            if (owner[i] >= 0)
            {
                Add(stats[owner[i]] ??= new GaussianStats(_dims), copy.AsSpan(i * _stride, _stride));
            }
        }
        var result = new Dictionary<string, GaussianStats>(StringComparer.Ordinal);
        for (int s = 0; s < names.Count; s++)
        {
            if (stats[s] is { } g)
            {
                result[names[s]] = g;
            }
        }
        return result;
    }

    private long OldestFrame() => Math.Max(0, _newest - CapacityFrames + 1);

    /// <summary>The kept frame indices [from, to) of a stretch of stream time, rounded as turns are everywhere.</summary>
    private (long From, long To) Frames(double start, double end)
    {
        long from = Math.Max((long)Math.Round(start / HopSeconds), OldestFrame());
        long to = Math.Min((long)Math.Round(end / HopSeconds), _newest + 1);
        return (from, Math.Max(from, to));
    }

    private ReadOnlySpan<float> Row(long frame)
    {
        int slot = (int)(frame % CapacityFrames);
        return _blocks[slot / BlockFrames].AsSpan(slot % BlockFrames * _stride, _stride);
    }

    private void Add(GaussianStats stats, ReadOnlySpan<float> row)
    {
        stats.Add(row[.._dims]);
        if (!float.IsNaN(row[_dims]))
        {
            stats.AddAux(row[_dims]);
        }
    }
}

/// <summary>Runs before a live diarizer and keeps each frame's voice features in a <see cref="VoiceFrameHistory"/>.</summary>
public sealed class VoiceHistoryRecorder(IFrameDiarizer inner, VoiceFrameHistory history) : IFrameDiarizer, IDisposable
{
    public bool MayWait => inner.MayWait;

    public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<Events.DiarizationEvent> events)
    {
        // Recorded first: a stage inside (the live namer) reads the frames of the turns this frame makes final.
        history.Record(frameIndex, frame);
        inner.OnFrame(frameIndex, frame, events);
    }

    public void Complete(List<Events.DiarizationEvent> events) => inner.Complete(events);

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
