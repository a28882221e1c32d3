// The product's default offline diarizer: speech mask -> window embeddings -> clustering -> frame labels -> turns.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Pipeline;

/// <summary>
/// Features-only diarization, a port of the research pipeline (research/round1/pipeline.py diarize). Each speech frame
/// takes the label of the nearest window centre (the earlier on a tie); non-speech frames give no output; the frames
/// are then labelled again over the clusters' MFCC Gaussians (<see cref="FrameResegmenter"/>, as the segment
/// representation does; <see cref="SegmentClusteringOptions.ResegmentPenalty"/> 0 turns it off). Stateless between calls and safe to share across threads.
/// </summary>
public sealed class DefaultDiarizer
{
    private readonly ISpeechDetector speech;
    private readonly WindowStatsEmbedder embedder;
    private readonly AgglomerativeClusterer clusterer;
    private readonly IWindowEmbedder? windowEmbedder;
    private readonly RecursiveSplitter splitter;
    private readonly SegmentClusterer segments;

    /// <param name="options">All stage options; null takes the defaults.</param>
    /// <param name="speechDetector">Replaces the energy detector built from <see cref="DefaultDiarizerOptions.Speech"/>; its hop must equal the MFCC hop.</param>
    /// <param name="windowEmbedder">
    /// Embeds the windows instead of the MFCC statistics (a neural model); window placement and the speech fraction rule
    /// stay those of <see cref="DefaultDiarizerOptions.Embedding"/>. Null keeps the MFCC statistics.
    /// </param>
    public DefaultDiarizer(DefaultDiarizerOptions? options = null, ISpeechDetector? speechDetector = null, IWindowEmbedder? windowEmbedder = null)
    {
        this.windowEmbedder = windowEmbedder;
        Options = (options ?? new DefaultDiarizerOptions()).Validate();
        bool windows = windowEmbedder is not null || Options.Representation != SpeakerRepresentation.Segments;
        speech = speechDetector ?? new EnergySpeechDetector(windows ? Options.Speech.ForWindowRepresentation(live: false) : Options.Speech);
        embedder = new WindowStatsEmbedder(Options.Embedding);
        clusterer = new AgglomerativeClusterer(Options.Clustering);
        splitter = new RecursiveSplitter(Options.Split, Options.Clustering);
        segments = new SegmentClusterer(Options.Segments);
        if (Math.Abs(speech.FrameHopSeconds - embedder.FrameHopSeconds) > 1e-9 || speech.SampleRateHz != Options.Embedding.Features.SampleRateHz)
        {
            throw new ArgumentException(
                $"The speech detector gives {speech.FrameHopSeconds} s frames at {speech.SampleRateHz} Hz; the embedder needs {embedder.FrameHopSeconds} s at {Options.Embedding.Features.SampleRateHz} Hz.",
                nameof(speechDetector));
        }
    }

    public DefaultDiarizerOptions Options { get; }

    /// <summary>The hints' known voices if they have this configuration's segment dimensions.</summary>
    /// <exception cref="ArgumentException">A known voice was modelled with other features.</exception>
    private IReadOnlyList<Clustering.GaussianStats>? KnownVoices(SpeakerHints hints)
    {
        foreach (var v in hints.KnownVoices)
        {
            if (v.Dims != Options.Segments.Coefficients)
            {
                throw new ArgumentException($"a known voice has {v.Dims} coefficients; this configuration models {Options.Segments.Coefficients}: enroll the person again with it", nameof(hints));
            }
        }
        return hints.KnownVoices.Count > 0 ? hints.KnownVoices : null;
    }

    /// <summary>
    /// The MFCC embedder for <paramref name="clip"/>: the configured one, or for audio recorded below the features' rate
    /// one whose mel filters end below that recording's Nyquist frequency (<see cref="Features.FeaturizerOptions.ForSourceRate"/>).
    /// </summary>
    private WindowStatsEmbedder FeaturesFor(AudioClip clip)
    {
        var fitted = Options.ForSourceRate(clip.SourceSampleRateHz);
        return ReferenceEquals(fitted, Options) ? embedder : new WindowStatsEmbedder(fitted.Embedding);
    }

    public DiarizationResult Diarize(AudioClip clip, SpeakerHints? hints = null)
    {
        hints = (hints ?? SpeakerHints.None).Validate(Options.Clustering.MaxClusters);
        if (clip.SampleRateHz != speech.SampleRateHz)
        {
            throw new ArgumentException($"Clip {clip.Id} is at {clip.SampleRateHz} Hz; resample it to {speech.SampleRateHz} Hz first (AudioLoader does).", nameof(clip));
        }
        // Speech detection and the MFCCs read the same samples independently: on a long recording they run on two cores.
        var features = FeaturesFor(clip);
        var mfccTask = windowEmbedder is null ? Task.Run(() => features.Features(clip.Samples)) : null;
        var mask = speech.Detect(clip.Samples);
        if (windowEmbedder is null && Options.Representation == SpeakerRepresentation.Segments)
        {
            var (voicing, lags) = Pitch(mask, clip.Samples, Options.Segments.PitchVoicingThreshold > 0);
            var segmentLabels = SegmentDiarization.LabelFrames(mask, mfccTask!.GetAwaiter().GetResult(), segments, hints.ToLimits(Options.Clustering.MaxClustersDefault),
                voicing, lags, speech.SampleRateHz, KnownVoices(hints));
            return Result(clip, mask, segmentLabels);
        }
        var embeddings = windowEmbedder is null
            ? EmbedStatistics(mfccTask!.GetAwaiter().GetResult(), mask, clip.Samples)
            : embedder.EmbedWith(windowEmbedder, clip.Samples, mask.IsSpeech);
        var limits = hints.ToLimits(Options.Clustering.MaxClustersDefault);
        var windowLabels = clusterer.Cluster(embeddings.Data, embeddings.Dims, limits);
        int max = limits.Max ?? Options.Clustering.MaxClustersDefault;
        if (limits.Min < max)
        {
            // An exact count is already met; otherwise look for voices inside the clusters, up to the maximum.
            windowLabels = splitter.Split(windowLabels, embeddings, max);
        }
        var frameLabels = LabelFrames(mask.IsSpeech, embeddings.CentreFrames, windowLabels);
        if (Options.DropPausesBetweenSpeakers && mask.IsPause is { } pauses)
        {
            DropPausesBetweenSpeakers(frameLabels, pauses);
        }
        if (Options.Segments.ResegmentPenalty > 0)
        {
            // The same frame-level pass as the segment representation's, over the MFCC Gaussians of the clusters the
            // windows found (an ONNX embedder's included): window labels are 1.5 s wide, a change of voice is not.
            Resegment(frameLabels, mfccTask?.GetAwaiter().GetResult() ?? features.Features(clip.Samples), mask.HopSeconds, limits.Min);
        }
        return Result(clip, mask, frameLabels);
    }

    /// <summary>
    /// In place: <see cref="FrameResegmenter"/> over <paramref name="frameLabels"/> with the segment model's coefficients,
    /// covariance floor (<see cref="SegmentClusterer.Floor"/> of the labelled frames), change penalty and free gap.
    /// </summary>
    private void Resegment(int[] frameLabels, Features.FeatureMatrix mfcc, double hopSeconds, int minClusters)
    {
        var o = Options.Segments;
        int frames = Math.Min(frameLabels.Length, mfcc.Frames);
        var session = new GaussianStats(o.Coefficients);
        for (int f = 0; f < frames; f++)
        {
            if (frameLabels[f] >= 0)
            {
                session.Add(mfcc.Row(f).Slice(o.FirstCoefficient, o.Coefficients));
            }
        }
        FrameResegmenter.Apply(frameLabels, mfcc, o.FirstCoefficient, o.Coefficients, segments.Floor(session), o.ResegmentPenalty,
            (int)Math.Round(o.ResegmentFreeGapSeconds / hopSeconds), minClusters);
    }

    private static DiarizationResult Result(AudioClip clip, SpeechMask mask, int[] frameLabels)
    {
        int speakers = LabelNumbering.ByFirstAppearance(frameLabels);
        var turns = FrameGrouper.Group(frameLabels, new FrameTimeline(mask.HopSeconds, mask.HopSeconds), FrameGrouper.DefaultName);
        return new DiarizationResult(clip.Id, turns, speakers, clip.DurationSeconds);
    }

    private WindowEmbeddings EmbedStatistics(Features.FeatureMatrix mfcc, SpeechMask mask, float[] samples)
    {
        if (embedder.Options.PitchDims == 0)
        {
            return embedder.Embed(mfcc, mask.IsSpeech);
        }
        var (voicing, lags) = Pitch(mask, samples, true);
        return embedder.Embed(mfcc, mask.IsSpeech, voicing, lags, Options.Split.MaxDepth > 0 && mask.IsPause is { } pauses ? pauses : []);
    }

    /// <summary>Voicing and pitch lag per frame: the detector's, or computed for the speech frames; empty when not wanted.</summary>
    private (double[] Voicing, int[] Lags) Pitch(SpeechMask mask, float[] samples, bool wanted)
    {
        if (!wanted)
        {
            return ([], []);
        }
        if (mask.Voicing is { } voicing && mask.PitchLags is { } lags)
        {
            return (voicing, lags);
        }
        // A detector without the voicing cue (a neural VAD, or the gate turned off): compute it for the speech frames.
        lags = new int[mask.Frames];
        return (new VoicingEstimator(Options.Speech.Voicing).ComputeAll(samples, mask.Frames, mask.IsSpeech, lags), lags);
    }

    /// <summary>
    /// Each speech frame gets the label of the nearest window centre, the earlier on a tie; -1 for non-speech.
    /// With no windows (too little speech to embed), all speech is one speaker.
    /// </summary>
    public static int[] LabelFrames(ReadOnlySpan<bool> speech, ReadOnlySpan<int> centreFrames, ReadOnlySpan<int> windowLabels)
    {
        var labels = new int[speech.Length];
        int w = 0;
        for (int i = 0; i < speech.Length; i++)
        {
            if (!speech[i])
            {
                labels[i] = -1;
                continue;
            }
            if (centreFrames.Length == 0)
            {
                labels[i] = 0;
                continue;
            }
            w = FrameLabelRules.NearestWindow(new FrameLabelRules.ArrayCentres(centreFrames), w, i);
            labels[i] = windowLabels[w];
        }
        return labels;
    }

    /// <summary>
    /// In place: each run of pause frames becomes non-speech (-1) unless the frames just before and just after it carry
    /// the same speaker, in which case the whole run takes that speaker. Allocates nothing.
    /// </summary>
    public static void DropPausesBetweenSpeakers(Span<int> labels, ReadOnlySpan<bool> pauses)
    {
        int n = Math.Min(labels.Length, pauses.Length);
        int i = 0;
        while (i < n)
        {
            if (!pauses[i])
            {
                i++;
                continue;
            }
            int j = i;
            while (j < n && pauses[j])
            {
                j++;
            }
            int before = i > 0 ? labels[i - 1] : -1;
            int after = j < labels.Length ? labels[j] : -1;
            labels[i..j].Fill(FrameLabelRules.PauseLabel(before, after));
            i = j;
        }
    }
}
