// The built-in representation's voice models: one Gaussian of the speech frames' MFCCs and log F0, as the segment
// clusterer models a speaker, compared by the same per-frame log-likelihood ratio.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Speakers;

/// <summary>
/// Builds <see cref="GaussianVoiceModel"/>s from 16 kHz audio with the diarizer's own speech detector, MFCCs and pitch,
/// so an enrolled profile and a diarized speaker are measured alike. Stateless and thread-safe.
/// </summary>
public sealed class FeatureVoiceModeller
{
    /// <summary>
    /// The profile kind this modeller writes. The version changes whenever the features change (coefficients, pitch,
    /// front end), so that old profiles are refused instead of silently compared with different numbers.
    /// </summary>
    public const string KindName = "features/v1";

    private readonly DefaultDiarizerOptions _options;
    private readonly EnergySpeechDetector _speech;
    private readonly WindowStatsEmbedder _mfcc;
    private readonly SegmentClusterer _clusterer;

    public FeatureVoiceModeller(DefaultDiarizerOptions? options = null)
    {
        _options = (options ?? new DefaultDiarizerOptions()).Validate();
        _speech = new EnergySpeechDetector(_options.Speech);
        _mfcc = new WindowStatsEmbedder(_options.Embedding);
        _clusterer = new SegmentClusterer(_options.Segments);
    }

    public int SampleRateHz => _speech.SampleRateHz;

    public double HopSeconds => _speech.FrameHopSeconds;

    /// <summary>A clip's speech frames (bridged pauses left out), with the seconds of speech they hold.</summary>
    public (GaussianStats Stats, double SpeechSeconds) ModelSpeech(AudioClip clip)
    {
        var frames = Analyse(clip);
        var stats = NewStats();
        for (int f = 0; f < frames.Count; f++)
        {
            if (frames.Usable(f))
            {
                frames.AddTo(stats, f);
            }
        }
        return (stats, stats.Count * HopSeconds);
    }

    /// <summary>
    /// One Gaussian per speaker of <paramref name="turns"/>: the usable speech frames inside that speaker's turns, and
    /// none that two speakers' turns share (overlap). Speakers with no such frame are left out.
    /// </summary>
    public Dictionary<string, GaussianStats> ModelSpeakers(AudioClip clip, IReadOnlyList<SpeakerSegment> turns)
    {
        var frames = Analyse(clip);
        var (owner, names) = TurnOwnership.SoloOwners(turns, 0, frames.Count, HopSeconds);
        var stats = new GaussianStats[names.Count];
        for (int s = 0; s < stats.Length; s++)
        {
            stats[s] = NewStats();
        }
        for (int f = 0; f < frames.Count; f++)
        {
            if (owner[f] >= 0 && frames.Usable(f))
            {
                frames.AddTo(stats[owner[f]], f);
            }
        }
        var result = new Dictionary<string, GaussianStats>(StringComparer.Ordinal);
        for (int s = 0; s < stats.Length; s++)
        {
            if (stats[s].Count > 0)
            {
                result[names[s]] = stats[s];
            }
        }
        return result;
    }

    /// <summary>The covariance floor for comparisons inside a session whose speech is summarised by <paramref name="session"/>.</summary>
    public double[] Floor(GaussianStats session) => _clusterer.Floor(session);

    /// <summary>
    /// Per-frame log-likelihood ratio (nats) of modelling <paramref name="a"/> and <paramref name="b"/> apart rather than
    /// together: near 0 for one voice, larger for two (<see cref="SegmentClusterer.Distance"/>).
    /// </summary>
    public static double Distance(GaussianStats a, GaussianStats b, double[] floor)
    {
        if (a.Count <= 0 || b.Count <= 0)
        {
            return double.PositiveInfinity;
        }
        var scratch = new double[a.Dims * a.Dims];
        return SegmentClusterer.Distance(a, a.Cost(floor, scratch), b, b.Cost(floor, scratch), floor, scratch);
    }

    private GaussianStats NewStats() => new(_options.Segments.Coefficients);

    private Frames Analyse(AudioClip clip)
    {
        if (clip.SampleRateHz != SampleRateHz)
        {
            throw new ArgumentException($"Clip {clip.Id} is at {clip.SampleRateHz} Hz; resample it to {SampleRateHz} Hz first (AudioLoader does).", nameof(clip));
        }
        var mfccTask = Task.Run(() => _mfcc.Features(clip.Samples));
        var mask = _speech.Detect(clip.Samples);
        double[] voicing = mask.Voicing ?? [];
        int[] lags = mask.PitchLags ?? [];
        if (_options.Segments.PitchVoicingThreshold > 0 && (voicing.Length == 0 || lags.Length == 0))
        {
            lags = new int[mask.Frames];
            voicing = new VoicingEstimator(_options.Speech.Voicing).ComputeAll(clip.Samples, mask.Frames, mask.IsSpeech, lags);
        }
        return new Frames(mask, mfccTask.GetAwaiter().GetResult(), voicing, lags, _options.Segments, SampleRateHz);
    }

    /// <summary>The per-frame inputs of one clip and the rule for which frames a voice model reads (as the segment path does).</summary>
    private sealed class Frames(SpeechMask mask, FeatureMatrix mfcc, double[] voicing, int[] lags, SegmentClusteringOptions o, int rateHz)
    {
        public int Count { get; } = Math.Min(mask.Frames, mfcc.Frames);

        public bool Usable(int f) => mask.IsSpeech[f] && (mask.IsPause is null || !mask.IsPause[f]);

        public void AddTo(GaussianStats stats, int f)
        {
            stats.Add(mfcc.Row(f).Slice(o.FirstCoefficient, o.Coefficients));
            if (o.PitchVoicingThreshold > 0 && f < voicing.Length && voicing[f] >= o.PitchVoicingThreshold && lags[f] > 0)
            {
                stats.AddAux(PitchAccumulator.LogF0(lags[f], rateHz));
            }
        }
    }
}
