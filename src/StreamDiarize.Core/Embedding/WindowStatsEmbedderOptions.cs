// Settings of the MFCC-statistics window embedder; defaults are the research pipeline's (research/round1/FINDINGS.md, steps 4-7).
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Embedding;

/// <summary>Options of <see cref="WindowStatsEmbedder"/>.</summary>
public sealed record WindowStatsEmbedderOptions
{
    /// <summary>
    /// The research's MFCC front end: 40 Slaney mels, c0..c19, 25 ms periodic-Hamming frames starting at sample 0 every
    /// 10 ms, pre-emphasis 0.97, no peak scaling, dither or per-feature normalisation (session CMVN is done here, over speech).
    /// </summary>
    public static FeaturizerOptions ResearchMfcc { get; } = new()
    {
        FeatureType = FeatureType.Mfcc,
        NumFeatureBins = 40,
        NumMfcc = 20,
        FrameMs = 25,
        StrideMs = 10,
        Nfft = 512,
        PreEmphasis = 0.97,
        Window = WindowType.Hamming,
        CenterFrames = false,
        NormalizeSignalPeak = false,
        DitherAmount = 0,
        NormalizePerFeature = FeatureNormalization.None,
    };

    /// <summary>The MFCC front end. Its hop must equal the speech mask's.</summary>
    // A copy, so that binding configuration into one options object never changes the shared template.
    public FeaturizerOptions Features { get; init; } = ResearchMfcc with { };

    /// <summary>First coefficient kept: 1 drops c0, which mostly tracks loudness rather than the speaker.</summary>
    public int FirstCoefficient { get; init; } = 1;

    /// <summary>Window length.</summary>
    public double WindowSeconds { get; init; } = 1.5;

    /// <summary>Hop between window starts; windows start at frame 0.</summary>
    public double WindowHopSeconds { get; init; } = 0.25;

    /// <summary>A window is used only if at least this fraction of its frames are speech.</summary>
    public double MinSpeechFraction { get; init; } = 0.3;

    /// <summary>Append the per-window standard deviation to the mean (doubles the dimension; it helps on AMI).</summary>
    public bool IncludeStd { get; init; } = true;

    /// <summary>With fewer speech frames than this, no embeddings are made (CMVN would be meaningless).</summary>
    public int MinSpeechFrames { get; init; } = 10;

    /// <summary>Added to standard deviations before dividing (CMVN and the z-score across windows) and to norms.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>
    /// Weight of two pitch dimensions (mean and std of log F0 over a window's voiced speech frames) appended after the
    /// z-score across windows, so each counts as much as this many MFCC dimensions' worth of variance (1 = as much as
    /// one). 0 leaves them out. Needs a speech mask carrying voicing and pitch lags (the energy detector with its gate).
    /// 2 separates more TTS voices and leaves the AMI output unchanged; 2.5 and more cost AMI (docs/ACCURACY.md).
    /// </summary>
    public double PitchWeight { get; init; } = 2;

    /// <summary>A frame counts as voiced for the pitch statistics when its voicing exceeds this.</summary>
    public double PitchVoicingThreshold { get; init; } = 0.6;

    /// <summary>A window with fewer voiced speech frames gets the clip's average pitch statistics (0 after the z-score).</summary>
    public int PitchMinVoicedFrames { get; init; } = 10;

    /// <summary>
    /// With the voicing cue available (the pitch path), the session CMVN and the window statistics of the session's
    /// embeddings use only speech frames whose voicing exceeds this; 0 (the default) uses every speech frame.
    /// </summary>
    public double StatisticsVoicingThreshold { get; init; }

    /// <summary>
    /// The same choice for the statistics kept for <see cref="Pipeline.DefaultDiarizerOptions.Split"/>, which
    /// re-normalises a cluster's windows and clusters them again: only voiced frames (0.6), so that bridged pauses and
    /// breaths do not pull windows towards silence. It changes no cluster of the session-level clustering, so the
    /// 30-second AMI clips, where nothing is split, keep their output (docs/ACCURACY.md, "Recursive splitting").
    /// </summary>
    public double SplitVoicingThreshold { get; init; } = 0.6;

    /// <summary>A window with fewer frames usable for its statistics (see <see cref="StatisticsVoicingThreshold"/>) is not embedded.</summary>
    public int MinStatisticsFrames { get; init; } = 10;

    /// <summary>Pitch dimensions appended to <see cref="Dims"/>: 2 when <see cref="PitchWeight"/> is positive.</summary>
    public int PitchDims => PitchWeight > 0 ? 2 : 0;

    /// <summary>Coefficients used per frame.</summary>
    public int CoefficientCount => Features.MfccCount - FirstCoefficient;

    /// <summary>Length of an embedding.</summary>
    public int Dims => IncludeStd ? 2 * CoefficientCount : CoefficientCount;

    /// <summary>Every problem with these options, each with the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        foreach (var e in Features.GetValidationErrors())
        {
            errors.Add("Features." + e);
        }
        if (Features.FeatureType != FeatureType.Mfcc)
        {
            errors.Add($"Features.FeatureType {Features.FeatureType} is invalid: the embedder needs Mfcc.");
        }
        if (Features.NormalizeSignalPeak || Features.NormalizePerFeature != FeatureNormalization.None)
        {
            errors.Add("Features.NormalizeSignalPeak and Features.NormalizePerFeature must be false and None: the embedder normalises over speech frames itself.");
        }
        if (FirstCoefficient < 0 || FirstCoefficient >= Features.MfccCount)
        {
            errors.Add($"FirstCoefficient {FirstCoefficient} is invalid: use 0 to {Features.MfccCount - 1} (1 drops c0, as usual).");
        }
        double hop = Features.HopSeconds;
        if (!(WindowSeconds > 0 && WindowSeconds <= 60) || (hop > 0 && Math.Round(WindowSeconds / hop) < 1))
        {
            errors.Add($"WindowSeconds {WindowSeconds} is invalid: use at least one frame up to 60 s (1.5 is usual).");
        }
        if (!(WindowHopSeconds > 0 && WindowHopSeconds <= 60) || (hop > 0 && Math.Round(WindowHopSeconds / hop) < 1))
        {
            errors.Add($"WindowHopSeconds {WindowHopSeconds} is invalid: use at least one frame up to 60 s (0.25 is usual).");
        }
        if (!(MinSpeechFraction is > 0 and <= 1))
        {
            errors.Add($"MinSpeechFraction {MinSpeechFraction} is invalid: use more than 0 up to 1 (0.3 is usual).");
        }
        if (MinSpeechFrames < 2)
        {
            errors.Add($"MinSpeechFrames {MinSpeechFrames} is invalid: use at least 2 (10 is usual).");
        }
        if (!(PitchWeight is >= 0 and <= 100))
        {
            errors.Add($"PitchWeight {PitchWeight} is invalid: use 0 (off) up to 100.");
        }
        if (!(PitchVoicingThreshold is > 0 and < 2))
        {
            errors.Add($"PitchVoicingThreshold {PitchVoicingThreshold} is invalid: use more than 0 and below 2 (0.6 is usual).");
        }
        if (PitchMinVoicedFrames < 2)
        {
            errors.Add($"PitchMinVoicedFrames {PitchMinVoicedFrames} is invalid: use at least 2 (10 is usual).");
        }
        if (!(StatisticsVoicingThreshold is >= 0 and < 2))
        {
            errors.Add($"StatisticsVoicingThreshold {StatisticsVoicingThreshold} is invalid: use 0 (every speech frame, the default) up to below 2.");
        }
        if (!(SplitVoicingThreshold is >= 0 and < 2))
        {
            errors.Add($"SplitVoicingThreshold {SplitVoicingThreshold} is invalid: use 0 (every speech frame) up to below 2 (0.6 is usual).");
        }
        if (MinStatisticsFrames is < 1 or > 1000)
        {
            errors.Add($"MinStatisticsFrames {MinStatisticsFrames} is invalid: use 1 to 1000 (10 is usual).");
        }
        if (!(Epsilon is > 0 and < 1))
        {
            errors.Add($"Epsilon {Epsilon} is invalid: use a small positive number below 1 (1e-8 is usual).");
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, or returns these options.</summary>
    public WindowStatsEmbedderOptions Validate()
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
