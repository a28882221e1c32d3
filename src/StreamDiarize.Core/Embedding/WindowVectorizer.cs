// One window's vector from its frames: which windows are kept, where they sit, and their MFCC and pitch statistics.
// The offline embedder and the live diarizer both call this code, so the two paths cannot drift apart.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// What the window statistics read of each frame. Offline it is a ref struct over the clip's arrays
/// (<see cref="WindowStatsEmbedder"/>), live over the diarizer's rings (<see cref="Streaming.FrameHistory"/>).
/// </summary>
public interface IWindowFrames
{
    bool IsSpeech(long frame);

    /// <summary>The frame's voicing (normalised autocorrelation peak); read only when a voicing threshold asks for it.</summary>
    double Voicing(long frame);

    /// <summary>The frame's autocorrelation peak lag in samples (0 when unvoiced).</summary>
    double PitchLag(long frame);

    /// <summary>The coefficients the statistics are taken over (MFCC c<sub>first</sub>.. ).</summary>
    ReadOnlySpan<float> Coefficients(long frame);
}

/// <summary>
/// The window rules of <see cref="WindowStatsEmbedderOptions"/>: placement (a window every hop, kept with enough
/// speech, labelled at its centre), the raw MFCC mean and deviation over a window's usable frames, and its log-F0
/// pair. Raw means before any normalisation: CMVN and the z-score across windows are per-dimension affine maps, so
/// each caller applies them with the statistics it has (the clip's offline, the session's so far live).
/// </summary>
public sealed class WindowVectorizer
{
    private readonly double _minSpeechFrames;

    public WindowVectorizer(WindowStatsEmbedderOptions options)
    {
        Options = options;
        double hop = options.Features.HopSeconds;
        WindowFrames = (int)Math.Round(options.WindowSeconds / hop);
        HopFrames = (int)Math.Round(options.WindowHopSeconds / hop);
        WindowSamples = (int)Math.Round(options.WindowSeconds * options.Features.SampleRateHz);
        HopSamples = options.Features.HopSamples;
        _minSpeechFrames = options.MinSpeechFraction * WindowFrames;
    }

    public WindowStatsEmbedderOptions Options { get; }

    public int WindowFrames { get; }

    public int HopFrames { get; }

    /// <summary>Samples of a full window, for an <see cref="IWindowEmbedder"/>.</summary>
    public int WindowSamples { get; }

    public int HopSamples { get; }

    /// <summary>Whether a window with this many speech frames is embedded at all.</summary>
    public bool Keeps(int speechFrames) => speechFrames > 0 && speechFrames >= _minSpeechFrames;

    /// <summary>The frame a window starting at <paramref name="startFrame"/> labels its neighbours from.</summary>
    public long Centre(long startFrame) => startFrame + WindowFrames / 2;

    /// <summary>A window's samples for an embedder: from its first frame's start, shorter at the end of the audio.</summary>
    public int SampleCount(long startFrame, long availableSamples) => (int)Math.Min(WindowSamples, availableSamples - startFrame * HopSamples);

    /// <summary>
    /// Mean and (when <paramref name="deviation"/> is not empty) population deviation of the coefficients over the
    /// frames in [start, end) that are speech and, with a positive <paramref name="voicedAbove"/>, voiced above it.
    /// Returns how many frames were used; below <paramref name="minFrames"/> (at least 1) the outputs are not valid.
    /// </summary>
    public static int Moments<TFrames>(TFrames frames, long start, long end, double voicedAbove, int minFrames, Span<double> mean, Span<double> deviation)
        where TFrames : IWindowFrames, allows ref struct
    {
        int d = mean.Length;
        mean.Clear();
        deviation.Clear();
        int count = 0;
        for (long t = start; t < end; t++)
        {
            if (Used(frames, t, voicedAbove))
            {
                count++;
                var row = frames.Coefficients(t);
                for (int k = 0; k < d; k++)
                {
                    mean[k] += row[k];
                }
            }
        }
        if (count < Math.Max(1, minFrames))
        {
            return count;
        }
        for (int k = 0; k < d; k++)
        {
            mean[k] /= count;
        }
        if (deviation.IsEmpty)
        {
            return count;
        }
        for (long t = start; t < end; t++)
        {
            if (Used(frames, t, voicedAbove))
            {
                var row = frames.Coefficients(t);
                for (int k = 0; k < d; k++)
                {
                    double x = row[k] - mean[k];
                    deviation[k] += x * x;
                }
            }
        }
        for (int k = 0; k < d; k++)
        {
            deviation[k] = Math.Sqrt(deviation[k] / count);
        }
        return count;
    }

    /// <summary>Mean and deviation of log F0 over the window's voiced speech frames into <paramref name="pitch"/>[0..2]; NaN when too few.</summary>
    public void Pitch<TFrames>(TFrames frames, long start, long end, Span<double> pitch)
        where TFrames : IWindowFrames, allows ref struct
    {
        var accumulator = default(PitchAccumulator);
        double rate = Options.Features.SampleRateHz;
        for (long t = start; t < end; t++)
        {
            double lag = frames.PitchLag(t);
            if (frames.IsSpeech(t) && frames.Voicing(t) > Options.PitchVoicingThreshold && lag > 0)
            {
                accumulator.Add(lag, rate);
            }
        }
        accumulator.WriteTo(pitch, Options.PitchMinVoicedFrames);
    }

    private static bool Used<TFrames>(TFrames frames, long t, double voicedAbove)
        where TFrames : IWindowFrames, allows ref struct =>
        frames.IsSpeech(t) && (voicedAbove <= 0 || frames.Voicing(t) > voicedAbove);
}
