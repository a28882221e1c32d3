// The seed's method, as a configuration anyone can select: frame features -> l2 -> frame-level spectral clustering.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Pipeline;

public sealed record SeedDiarizerOptions
{
    /// <summary>The seed tutorial's featurizer: log-mel, 50 ms frames every 30 ms, per-band normalisation over the file.</summary>
    public FeaturizerOptions Features { get; init; } = new() { FeatureType = FeatureType.LogMelSpectrogram, FrameMs = 50, StrideMs = 30 };

    /// <summary>The seed's SpectralClusterer settings. MaxInputSize admits a 36 s clip (1201 frames at 30 ms).</summary>
    public SpectralClustererOptions Clustering { get; init; } = new()
    {
        MinClusters = 1,
        MaxClusters = 100,
        PPercentile = 0.95,
        GaussianBlurSigma = 30,
        ThresholdingSoftMultiplier = 0.01,
        ThresholdingType = ThresholdingType.RowMax,
        MaxInputSize = 1201,
    };

    /// <summary>Turns shorter than this are handled by <see cref="ShortSegments"/>; 0 keeps the seed's raw turns.</summary>
    public double MinSegmentSeconds { get; init; }

    public ShortSegmentPolicy ShortSegments { get; init; } = ShortSegmentPolicy.Keep;

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        errors.AddRange(Features.GetValidationErrors().Select(e => "Seed:Features: " + e));
        errors.AddRange(Clustering.GetValidationErrors().Select(e => "Seed:Clustering: " + e));
        if (MinSegmentSeconds is < 0 or > 10)
        {
            errors.Add($"Seed:MinSegmentSeconds {MinSegmentSeconds} is invalid: use 0 to 10 seconds");
        }
        return errors;
    }
}
