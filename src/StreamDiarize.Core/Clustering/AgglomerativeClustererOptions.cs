// Settings of the average-linkage cosine clusterer; defaults are the research pipeline's (research/round1/FINDINGS.md, step 8).
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Clustering;

/// <summary>Options of <see cref="AgglomerativeClusterer"/>.</summary>
public sealed record AgglomerativeClustererOptions
{
    /// <summary>
    /// Merging stops above this average cosine distance (0 to 2). Centred embeddings of unrelated windows sit near 1,
    /// so 1.2 splits only clearly separated groups: "split only if obvious".
    /// </summary>
    public double DistanceThreshold { get; init; } = 1.2;

    /// <summary>
    /// Without a speaker hint, at most this many clusters are kept. The research capped at 4 (AMI has 3-5 speakers),
    /// but the threshold alone never reaches the cap on AMI, and a cap of 4 would merge larger meetings by force.
    /// </summary>
    public int MaxClustersDefault { get; init; } = 20;

    /// <summary>The most clusters any request (hint) may ask for.</summary>
    public int MaxClusters { get; init; } = 20;

    /// <summary>With fewer windows than this and no hint asking for more, everything is one cluster.</summary>
    public int MinWindowsToCluster { get; init; } = 3;

    /// <summary>
    /// Above this many windows, consecutive windows are first averaged in equal groups so that at most this many
    /// items are clustered: the exact method keeps n(n-1)/2 distances (2000 windows, about 8 min of audio, is 16 MB).
    /// </summary>
    public int MaxExactWindows { get; init; } = 2000;

    /// <summary>Every problem with these options, each with the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (!(DistanceThreshold is >= 0 and <= 2))
        {
            errors.Add($"DistanceThreshold {DistanceThreshold} is invalid: cosine distances run 0 to 2 (1.2 is usual).");
        }
        if (MaxClusters is < 1 or > 1000)
        {
            errors.Add($"MaxClusters {MaxClusters} is invalid: use 1 to 1000 (20 is usual).");
        }
        if (MaxClustersDefault < 1 || MaxClustersDefault > MaxClusters)
        {
            errors.Add($"MaxClustersDefault {MaxClustersDefault} is invalid: use 1 to MaxClusters ({MaxClusters}); 20 is usual.");
        }
        if (MinWindowsToCluster is < 1 or > 1000)
        {
            errors.Add($"MinWindowsToCluster {MinWindowsToCluster} is invalid: use 1 to 1000 (3 is usual).");
        }
        if (MaxExactWindows is < 2 or > 20000)
        {
            errors.Add($"MaxExactWindows {MaxExactWindows} is invalid: use 2 to 20000 (2000 is usual; memory grows with its square).");
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, or returns these options.</summary>
    public AgglomerativeClustererOptions Validate()
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
