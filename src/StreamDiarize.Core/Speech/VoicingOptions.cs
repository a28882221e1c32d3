// Settings of the per-frame voicing cue (normalised autocorrelation peak); defaults are research round 2's (research/round2/FINDINGS2.md, step 5).
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Speech;

/// <summary>
/// Options of <see cref="VoicingEstimator"/>. Frame i is <see cref="FrameSamples"/> samples starting at
/// <see cref="HopSamples"/> * i + <see cref="OffsetSamples"/>; the defaults (640 samples from 160 i - 120 at 16 kHz)
/// give a 40 ms frame centred on the centre of the 25 ms energy frame i.
/// </summary>
public sealed record VoicingOptions
{
    /// <summary>Samples per voicing frame: 40 ms holds at least two periods of a 62.5 Hz voice.</summary>
    public int FrameSamples { get; init; } = 640;

    /// <summary>Where frame i starts relative to <see cref="HopSamples"/> * i; negative to centre it on the energy frame.</summary>
    public int OffsetSamples { get; init; } = -120;

    /// <summary>Samples between frames in <see cref="VoicingEstimator.ComputeAll"/>; must equal the speech mask's hop.</summary>
    public int HopSamples { get; init; } = 160;

    /// <summary>Shortest lag searched (40 samples = 400 Hz at 16 kHz).</summary>
    public int MinLag { get; init; } = 40;

    /// <summary>Longest lag searched, inclusive (255 samples = 62.7 Hz at 16 kHz).</summary>
    public int MaxLag { get; init; } = 255;

    /// <summary>
    /// Added to the window's normalised autocorrelation before dividing by it, so the taper correction stays
    /// bounded at long lags where the window's own autocorrelation goes to zero.
    /// </summary>
    public double TaperEpsilon { get; init; } = 1e-3;

    /// <summary>Every problem with these options, each with the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (FrameSamples is < 16 or > 16384)
        {
            errors.Add($"FrameSamples {FrameSamples} is invalid: use 16 to 16384 samples (640 is usual).");
        }
        if (OffsetSamples is < -16384 or > 16384)
        {
            errors.Add($"OffsetSamples {OffsetSamples} is invalid: use -16384 to 16384 samples (-120 is usual).");
        }
        if (HopSamples is < 1 or > 16384)
        {
            errors.Add($"HopSamples {HopSamples} is invalid: use 1 to 16384 samples (160 is usual).");
        }
        if (MinLag < 1 || MinLag > MaxLag || MaxLag >= FrameSamples)
        {
            errors.Add($"MinLag {MinLag} and MaxLag {MaxLag} are invalid: need 1 <= MinLag <= MaxLag < FrameSamples ({FrameSamples}) (40 and 255 are usual).");
        }
        if (!(TaperEpsilon is > 0 and <= 1))
        {
            errors.Add($"TaperEpsilon {TaperEpsilon} is invalid: use a small positive number up to 1 (1e-3 is usual).");
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, or returns these options.</summary>
    public VoicingOptions Validate()
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
