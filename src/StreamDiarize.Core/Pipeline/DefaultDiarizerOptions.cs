// Every setting of the default offline diarizer, nested as the pipeline runs: speech, embedding, clustering.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Pipeline;

/// <summary>How speakers are told apart.</summary>
public enum SpeakerRepresentation
{
    /// <summary>Phrase segments between pauses, one full-covariance Gaussian each, clustered by likelihood ratio and ΔBIC.</summary>
    Segments,

    /// <summary>Sliding 1.5 s windows of MFCC and pitch statistics z-scored over the session, cosine clustering and splitting (before round 4; the ONNX embedder's path).</summary>
    Windows,
}

/// <summary>Options of <see cref="DefaultDiarizer"/>; the defaults are the research pipeline's (docs/ACCURACY.md).</summary>
public sealed record DefaultDiarizerOptions
{
    /// <summary>Segments by default; an ONNX embedder always uses windows.</summary>
    public SpeakerRepresentation Representation { get; init; } = SpeakerRepresentation.Segments;

    public SegmentClusteringOptions Segments { get; init; } = new();

    public EnergySpeechDetectorOptions Speech { get; init; } = new();

    public WindowStatsEmbedderOptions Embedding { get; init; } = new();

    public AgglomerativeClustererOptions Clustering { get; init; } = new();

    /// <summary>
    /// After clustering, each cluster of at least 30 s of speech is normalised on its own and clustered again, to find
    /// voices that the session's scale hides (MFCC statistics only; skipped with an exact speaker count).
    /// </summary>
    public RecursiveSplitOptions Split { get; init; } = new();

    /// <summary>
    /// After labelling, a bridged pause (<see cref="EnergySpeechDetectorOptions.PauseSeconds"/>) stays speech only
    /// when the same speaker talks on both sides; between two speakers it becomes silence. References bridge pauses
    /// within a turn (AMI) but not between turns (exact synthetic RTTM): on AMI this changes nothing measurable, on
    /// synthetic meetings it removes most of the false alarm at speaker changes (docs/ACCURACY.md).
    /// </summary>
    public bool DropPausesBetweenSpeakers { get; init; } = true;

    /// <summary>Every problem in every stage (prefixed by the stage) and between stages; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        foreach (var e in Speech.GetValidationErrors())
        {
            errors.Add("Speech." + e);
        }
        foreach (var e in Embedding.GetValidationErrors())
        {
            errors.Add("Embedding." + e);
        }
        foreach (var e in Clustering.GetValidationErrors())
        {
            errors.Add("Clustering." + e);
        }
        foreach (var e in Split.GetValidationErrors())
        {
            errors.Add("Split." + e);
        }
        foreach (var e in Segments.GetValidationErrors())
        {
            errors.Add("Segments." + e);
        }
        if (!Enum.IsDefined(Representation))
        {
            errors.Add($"Representation {Representation} is invalid: use {string.Join(" or ", Enum.GetNames<SpeakerRepresentation>())}");
        }
        else if ((Representation == SpeakerRepresentation.Segments || Segments.ResegmentPenalty > 0) && Segments.FirstCoefficient + Segments.Coefficients > Embedding.Features.MfccCount)
        {
            errors.Add($"Segments.FirstCoefficient + Segments.Coefficients ({Segments.FirstCoefficient + Segments.Coefficients}) exceeds Embedding.Features.NumMfcc ({Embedding.Features.MfccCount}): lower them, or raise NumMfcc (the segment model and the resegmentation, also used with windows, read these coefficients).");
        }
        var features = Embedding.Features;
        if (features.SampleRateHz != Speech.SampleRateHz)
        {
            errors.Add($"Embedding.Features.SampleRateHz {features.SampleRateHz} differs from Speech.SampleRateHz {Speech.SampleRateHz}: both stages read the same samples.");
        }
        if (features.HopSamples != Speech.HopSamples || features.FrameSamples != Speech.FrameSamples || features.CenterFrames)
        {
            errors.Add("Embedding.Features framing (FrameMs, StrideMs, CenterFrames) must match the speech mask's (FrameMs, HopMs, frames from sample 0): labels are frame-aligned.");
        }
        return errors;
    }

    /// <summary>
    /// These stages for audio recorded at <paramref name="sourceRateHz"/>: below the features' rate the MFCCs' mel filters
    /// end below its Nyquist frequency (<see cref="Features.FeaturizerOptions.ForSourceRate"/>); otherwise this instance.
    /// Offline per clip and live per session alike.
    /// </summary>
    public DefaultDiarizerOptions ForSourceRate(int? sourceRateHz)
    {
        var features = Embedding.Features.ForSourceRate(sourceRateHz);
        return ReferenceEquals(features, Embedding.Features) ? this : this with { Embedding = Embedding with { Features = features } };
    }

    /// <summary>
    /// These stages for one live session: fitted to its recording's rate (<see cref="ForSourceRate"/>), and with known
    /// speakers the live detector's thresholds uncapped (<see cref="Streaming.StreamingSpeechDetector.OptionsForSession"/>)
    /// and the ΔBIC weight at <see cref="SegmentClusteringOptions.MergeLambda"/> from the start. With the caps, or with the
    /// lighter weight on little speech, an unenrolled voice's speech was named (docs/SPEAKERS.md, rounds 14 and 16). Both
    /// live diarizers build their parts from this; applying it twice changes nothing.
    /// </summary>
    public DefaultDiarizerOptions ForSession(Streaming.SessionOptions session)
    {
        var stages = ForSourceRate(session.SourceSampleRateHz);
        return session.KnownSpeakers.Count == 0 ? stages : stages with
        {
            Speech = Streaming.StreamingSpeechDetector.OptionsForSession(stages.Speech, session),
            Segments = stages.Segments with { ShortMergeLambda = 0 },
        };
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, or returns these options.</summary>
    public DefaultDiarizerOptions Validate()
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
