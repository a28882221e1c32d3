// Settings of the MFCC-statistics window embedder; defaults are the research pipeline's (research/FINDINGS.md, steps 4-7).
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
