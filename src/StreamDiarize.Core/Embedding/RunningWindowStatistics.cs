// Sums of raw window statistics over a run of windows: what a live pre-cluster keeps so that any subset of the
// session can still be normalised exactly after its windows are gone.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// For each dimension: the sum, the sum of squares and the count of the windows' raw values (NaN values, such as the
/// pitch pair of a window with too little voicing, are not counted). A subset's z-score needs exactly these: its mean is
/// the summed sums over the summed counts and its variance the summed squares over the counts less the mean squared.
/// Also the extent of the windows in the session's sequence and how many unbroken runs they form, for turn-taking.
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

    /// <summary>Windows added (each with at least its first dimension).</summary>
    public int Windows { get; private set; }

    /// <summary>Index of the first window added; -1 while empty.</summary>
    public long FirstWindow { get; private set; } = -1;

    public long LastWindow { get; private set; } = -1;

    /// <summary>Unbroken runs of consecutive window indices among the windows added.</summary>
    public int Runs { get; private set; }

    /// <summary>Adds window <paramref name="window"/> (later than any added so far). Allocates nothing.</summary>
    public void Add(ReadOnlySpan<double> raw, long window)
    {
        if (raw.Length != Sum.Length)
        {
            throw new ArgumentException($"A window has {raw.Length} statistics; this sum holds {Sum.Length}.", nameof(raw));
        }
        if (window <= LastWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"Windows are added in order; {LastWindow} was the last.");
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
        Extend(window, window, 1, 1);
    }

    /// <summary>
    /// Adds every window of <paramref name="other"/> (none of them already here; they may lie between these, once
    /// joined sums are joined again). Allocates nothing.
    /// </summary>
    public void Add(RunningWindowStatistics other)
    {
        if (other.Sum.Length != Sum.Length)
        {
            throw new ArgumentException($"Sums of {other.Sum.Length} and {Sum.Length} statistics cannot be joined.", nameof(other));
        }
        if (other.Windows == 0)
        {
            return;
        }
        for (int k = 0; k < Sum.Length; k++)
        {
            Sum[k] += other.Sum[k];
            Squares[k] += other.Squares[k];
            Counts[k] += other.Counts[k];
        }
        Extend(other.FirstWindow, other.LastWindow, other.Windows, other.Runs);
    }

    private void Extend(long first, long last, int windows, int runs)
    {
        if (Windows == 0)
        {
            (FirstWindow, LastWindow, Runs) = (first, last, runs);
        }
        else
        {
            // Runs that meet end to end are one; runs that interleave are counted apart (their neighbours are not known).
            bool touches = first == LastWindow + 1 || last + 1 == FirstWindow;
            Runs += touches ? runs - 1 : runs;
            FirstWindow = Math.Min(FirstWindow, first);
            LastWindow = Math.Max(LastWindow, last);
        }
        Windows += windows;
    }
}
