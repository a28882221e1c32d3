// Sums of raw window statistics over a group of windows: what a live pre-cluster keeps so that any subset of the
// session can still be normalised exactly after its windows' statistics are gone.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// For each dimension: the sum, the sum of squares and the count of the windows' raw values (NaN values, such as the
/// pitch pair of a window with too little voicing, are not counted). A subset's z-score needs exactly these: its mean is
/// the summed sums over the summed counts and its variance the summed squares over the counts less the mean squared.
/// </summary>
public sealed class RunningWindowStatistics
{
    public RunningWindowStatistics(int dims)
    {
        if (dims < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dims), dims, "A window statistic has at least one dimension.");
        }
        Sum = new double[dims];
        Squares = new double[dims];
        Counts = new int[dims];
    }

    public double[] Sum { get; }

    public double[] Squares { get; }

    public int[] Counts { get; }

    /// <summary>Windows added.</summary>
    public int Windows { get; private set; }

    /// <summary>Adds one window's raw statistics. Allocates nothing.</summary>
    public void Add(ReadOnlySpan<double> raw)
    {
        if (raw.Length != Sum.Length)
        {
            throw new ArgumentException($"A window has {raw.Length} statistics; this sum holds {Sum.Length}.", nameof(raw));
        }
        for (int k = 0; k < raw.Length; k++)
        {
            double x = raw[k];
            if (!double.IsNaN(x))
            {
                Sum[k] += x;
                Squares[k] += x * x;
                Counts[k]++;
            }
        }
        Windows++;
    }

    /// <summary>Adds every window of <paramref name="other"/>. Allocates nothing.</summary>
    public void Add(RunningWindowStatistics other)
    {
        if (other.Sum.Length != Sum.Length)
        {
            throw new ArgumentException($"Sums of {other.Sum.Length} and {Sum.Length} statistics cannot be joined.", nameof(other));
        }
        for (int k = 0; k < Sum.Length; k++)
        {
            Sum[k] += other.Sum[k];
            Squares[k] += other.Squares[k];
            Counts[k] += other.Counts[k];
        }
        Windows += other.Windows;
    }
}
