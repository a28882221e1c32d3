// How average linkage compares two rows: by the cosine of their angle, or by their plain dot product.
namespace StreamDiarize.Core.Clustering;

public enum RowSimilarity
{
    /// <summary>Distance 1 - cos(a, b): rows are directions, whatever their length.</summary>
    Cosine,

    /// <summary>
    /// Distance 1 - a.b, for rows that are means of unit vectors (a group of windows): the dot product of two such means
    /// is the mean cosine similarity between their members, the distance average linkage would start from with the
    /// windows themselves. A unit row is compared as by <see cref="Cosine"/>.
    /// </summary>
    DotProduct,
}
