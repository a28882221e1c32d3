// How each feature band is standardised after extraction: over the whole file (offline only) or causally.
namespace StreamDiarize.Core.Features;

public enum FeatureNormalization
{
    /// <summary>Features as extracted.</summary>
    None,

    /// <summary>(x - mean) / (std + eps) per band with mean and population std over all frames. Needs the whole file.</summary>
    WholeFile,

    /// <summary>
    /// Causal equivalent of <see cref="WholeFile"/>: mean and variance per band are cumulative (Welford) over the
    /// first N frames, then exponentially weighted with alpha = 1/N, where N is
    /// <see cref="FeaturizerOptions.RunningNormalizationSeconds"/> in frames. Each frame is folded in before it is
    /// normalised, so frame 0 becomes all zeros.
    /// </summary>
    Running,
}
