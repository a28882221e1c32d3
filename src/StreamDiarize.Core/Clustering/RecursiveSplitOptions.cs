// Settings of the recursive splitting of clusters; defaults from research round 3 (docs/ACCURACY.md, "Recursive splitting").
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Clustering;

/// <summary>Options of <see cref="RecursiveSplitter"/>.</summary>
public sealed record RecursiveSplitOptions
{
    /// <summary>Levels of splitting below the session's clusters; 0 turns splitting off.</summary>
    public int MaxDepth { get; init; } = 3;

    /// <summary>
    /// Only a cluster of at least this many windows with splitting statistics is examined (100 windows of 1.5 s every
    /// 0.25 s: about 25 s of voiced speech away from pauses). Re-normalising a smaller group would blow up whatever
    /// little variation it has; parts smaller than this are final.
    /// </summary>
    public int MinWindows { get; init; } = 100;

    /// <summary>A part of a split with fewer windows is not a speaker: its windows join the nearest cluster.</summary>
    public int MinPartWindows { get; init; } = 8;

    /// <summary>
    /// Average-linkage cosine threshold inside a cluster, after the cluster's own normalisation. Lower than the session's
    /// 1.2 because the turn-taking check (<see cref="MaxSwitchRate"/>) rejects the splits that cut through one voice;
    /// 0.95 to 1.1 give the same synthetic-meeting results (docs/ACCURACY.md).
    /// </summary>
    public double DistanceThreshold { get; init; } = 1.05;

    /// <summary>
    /// A split is kept only if, among time-adjacent windows of the cluster, at most this fraction change part: voices
    /// hold the floor for seconds at a time, while a split that cuts through one voice (by sound or by sentence)
    /// alternates quickly. 0.02 is a mean run of 50 windows after smoothing. 1 turns the check off.
    /// </summary>
    public double MaxSwitchRate { get; init; } = 0.02;

    /// <summary>Windows on each side that vote on a window's part before changes are counted (2: 1.25 s in all).</summary>
    public int SmoothingWindows { get; init; } = 2;

    /// <summary>Every problem with these options, each with the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (MaxDepth is < 0 or > 10)
        {
            errors.Add($"MaxDepth {MaxDepth} is invalid: use 0 (off) to 10 (3 is usual).");
        }
        if (MinWindows is < 3 or > 1_000_000)
        {
            errors.Add($"MinWindows {MinWindows} is invalid: use 3 to 1000000 (100 is usual).");
        }
        if (MinPartWindows is < 1 or > 1_000_000)
        {
            errors.Add($"MinPartWindows {MinPartWindows} is invalid: use 1 to 1000000 (8 is usual).");
        }
        if (!(DistanceThreshold is >= 0 and <= 2))
        {
            errors.Add($"DistanceThreshold {DistanceThreshold} is invalid: cosine distances run 0 to 2 (1.05 is usual).");
        }
        if (!(MaxSwitchRate is >= 0 and <= 1))
        {
            errors.Add($"MaxSwitchRate {MaxSwitchRate} is invalid: use 0 to 1 (0.02 is usual; 1 turns the check off).");
        }
        if (SmoothingWindows is < 0 or > 100)
        {
            errors.Add($"SmoothingWindows {SmoothingWindows} is invalid: use 0 (none) to 100 (2 is usual).");
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, or returns these options.</summary>
    public RecursiveSplitOptions Validate()
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
