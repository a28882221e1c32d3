// How many clusters a caller allows: the clusterer's view of speaker hints, free of pipeline types.
namespace StreamDiarize.Core.Clustering;

/// <summary>Keep between <paramref name="Min"/> and <paramref name="Max"/> clusters (equal for an exact count); null Max means the default cap.</summary>
public readonly record struct ClusterCountLimits(int Min = 1, int? Max = null)
{
    public static ClusterCountLimits Exactly(int count) => new(count, count);

    public bool IsExact => Max == Min;
}
