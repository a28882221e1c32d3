// Cluster labels renamed 0, 1, ... in the order they first appear, so that ids do not depend on how a clusterer numbered them.
namespace StreamDiarize.Core.Clustering;

public static class LabelNumbering
{
    /// <summary>In place: labels renumbered 0, 1, ... in order of first appearance (negative labels stay); returns the count.</summary>
    public static int ByFirstAppearance(Span<int> labels)
    {
        var names = new Dictionary<int, int>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0)
            {
                continue;
            }
            if (!names.TryGetValue(labels[i], out int name))
            {
                name = names.Count;
                names[labels[i]] = name;
            }
            labels[i] = name;
        }
        return names.Count;
    }
}
