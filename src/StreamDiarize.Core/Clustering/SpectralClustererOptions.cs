// Settings of the offline spectral clusterer (spectralcluster 0.1.0, Wang et al. 2018); validated once, every error at once.
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Clustering;

/// <summary>The affinity refinement operations of spectralcluster, applied in the order given.</summary>
public enum RefinementStep
{
    CropDiagonal,
    GaussianBlur,
    RowWiseThreshold,
    Symmetrize,
    Diffuse,
    RowWiseNormalize,
}

/// <summary>How <see cref="RefinementStep.RowWiseThreshold"/> picks each row's threshold.</summary>
public enum ThresholdingType
{
    /// <summary>Entries below rowmax * p are softened.</summary>
    RowMax,

    /// <summary>Entries below the row's (p*100)-th percentile (linear interpolation) are softened.</summary>
    Percentile,
}

/// <summary>How <see cref="RefinementStep.Symmetrize"/> combines Y and Y^T.</summary>
public enum SymmetrizeType
{
    /// <summary>max(Y, Y^T).</summary>
    Max,

    /// <summary>(Y + Y^T) / 2.</summary>
    Average,
}

/// <summary>Options of <see cref="SpectralClusterer"/>. Defaults follow spectralcluster 0.1.0.</summary>
public sealed class SpectralClustererOptions
{
    /// <summary>The ICASSP 2018 refinement sequence.</summary>
    public static IReadOnlyList<RefinementStep> DefaultRefinements { get; } =
    [
        RefinementStep.CropDiagonal,
        RefinementStep.GaussianBlur,
        RefinementStep.RowWiseThreshold,
        RefinementStep.Symmetrize,
        RefinementStep.Diffuse,
        RefinementStep.RowWiseNormalize,
    ];

    /// <summary>
    /// Default bound on the number of embeddings per call. Full eigendecomposition is O(n^3);
    /// docs/CLUSTERING_SCALING.md measured 7 s at n = 1000 and 19 s at n = 1500 on 2 cores, so the default stays under ~10 s.
    /// </summary>
    public const int DefaultMaxInputSize = 1000;

    /// <summary>Fewest clusters the eigengap may choose.</summary>
    public int MinClusters { get; init; } = 1;

    /// <summary>Most clusters the eigengap may choose.</summary>
    public int MaxClusters { get; init; } = 100;

    /// <summary>If set, the number of clusters, overriding the eigengap (still capped at the number of inputs).</summary>
    public int? ExactClusters { get; init; }

    /// <summary>p of the row-wise threshold, in (0, 1].</summary>
    public double PPercentile { get; init; } = 0.95;

    /// <summary>Standard deviation of the Gaussian blur in matrix cells; 0 skips the blur.</summary>
    /// <remarks>spectralcluster's default (and its ICASSP 2018 config) is 1; larger values smear small matrices into one cluster.</remarks>
    public double GaussianBlurSigma { get; init; } = 1;

    /// <summary>Factor applied to entries below the threshold; 0 is hard thresholding.</summary>
    public double ThresholdingSoftMultiplier { get; init; } = 0.01;

    public ThresholdingType ThresholdingType { get; init; } = ThresholdingType.RowMax;

    /// <summary>Refinement operations, applied in order; empty means none.</summary>
    /// <remarks>Null means <see cref="DefaultRefinements"/>. A default list here would make configuration binding append to it.</remarks>
    public IReadOnlyList<RefinementStep>? Refinements { get; init; }

    /// <summary>The steps in use: <see cref="Refinements"/>, or <see cref="DefaultRefinements"/> when unset.</summary>
    public IReadOnlyList<RefinementStep> EffectiveRefinements => Refinements ?? DefaultRefinements;

    public SymmetrizeType SymmetrizeType { get; init; } = SymmetrizeType.Max;

    /// <summary>The eigengap search stops at the first eigenvalue below this.</summary>
    public double StopEigenvalue { get; init; } = 1e-2;

    /// <summary>If true, l2-normalise each row of the spectral embeddings before k-means (spectralcluster's row_wise_renorm, default false).</summary>
    public bool RowWiseRenormalize { get; init; }

    /// <summary>Iteration cap of the cosine k-means.</summary>
    public int KMeansMaxIterations { get; init; } = 300;

    /// <summary>Seed of the k-means++ initialisation; the same seed gives the same labels.</summary>
    public int Seed { get; init; }

    /// <summary>Largest number of embeddings accepted per call; larger inputs fail fast rather than run for minutes.</summary>
    public int MaxInputSize { get; init; } = DefaultMaxInputSize;

    /// <summary>Every problem with these options, each saying what to do; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (MinClusters < 1)
        {
            errors.Add($"MinClusters {MinClusters} is invalid: give 1 or more");
        }
        if (MaxClusters < 1)
        {
            errors.Add($"MaxClusters {MaxClusters} is invalid: give 1 or more");
        }
        else if (MaxClusters < MinClusters)
        {
            errors.Add($"MaxClusters {MaxClusters} is below MinClusters {MinClusters}: give MaxClusters >= MinClusters");
        }
        if (ExactClusters is < 1)
        {
            errors.Add($"ExactClusters {ExactClusters} is invalid: give 1 or more, or leave it unset to use the eigengap");
        }
        if (!(PPercentile > 0 && PPercentile <= 1))
        {
            errors.Add($"PPercentile {PPercentile} is invalid: give a fraction in (0, 1], e.g. 0.95");
        }
        if (!(GaussianBlurSigma >= 0) || double.IsInfinity(GaussianBlurSigma))
        {
            errors.Add($"GaussianBlurSigma {GaussianBlurSigma} is invalid: give 0 (no blur) or a positive number of cells, e.g. 1");
        }
        if (!(ThresholdingSoftMultiplier >= 0 && ThresholdingSoftMultiplier <= 1))
        {
            errors.Add($"ThresholdingSoftMultiplier {ThresholdingSoftMultiplier} is invalid: give a value in [0, 1] (0 = hard threshold)");
        }
        if (!Enum.IsDefined(ThresholdingType))
        {
            errors.Add($"ThresholdingType {(int)ThresholdingType} is invalid: give RowMax or Percentile");
        }
        if (!Enum.IsDefined(SymmetrizeType))
        {
            errors.Add($"SymmetrizeType {(int)SymmetrizeType} is invalid: give Max or Average");
        }
        if (Refinements is not null)
        {
            for (int i = 0; i < Refinements.Count; i++)
            {
                if (!Enum.IsDefined(Refinements[i]))
                {
                    errors.Add($"Refinements[{i}] {(int)Refinements[i]} is invalid: give one of {string.Join(", ", Enum.GetNames<RefinementStep>())}");
                }
            }
        }
        if (!(StopEigenvalue >= 0) || double.IsInfinity(StopEigenvalue))
        {
            errors.Add($"StopEigenvalue {StopEigenvalue} is invalid: give a small non-negative number, e.g. 0.01");
        }
        if (KMeansMaxIterations < 1)
        {
            errors.Add($"KMeansMaxIterations {KMeansMaxIterations} is invalid: give 1 or more, e.g. 300");
        }
        if (MaxInputSize < 1)
        {
            errors.Add($"MaxInputSize {MaxInputSize} is invalid: give 1 or more, e.g. {DefaultMaxInputSize}");
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, if any.</summary>
    public void Validate()
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(errors);
        }
    }
}
