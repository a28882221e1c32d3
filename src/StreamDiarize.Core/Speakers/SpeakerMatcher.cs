// The open-set decision: which found speakers are which enrolled people, one to one, and only when the match is clear.
using StreamDiarize.Core.Scoring;

namespace StreamDiarize.Core.Speakers;

/// <summary>Pure: a distance matrix in, an assignment out.</summary>
public static class SpeakerMatcher
{
    /// <summary>
    /// For each speaker (row) the profile (column) it is, or -1: the one-to-one assignment of least total distance among
    /// pairs at most <paramref name="threshold"/> apart. A speaker farther than the threshold from every profile stays
    /// anonymous, and no profile goes to two speakers.
    /// </summary>
    public static int[] Match(double[,] distances, double threshold)
    {
        int rows = distances.GetLength(0);
        int cols = distances.GetLength(1);
        var result = new int[rows];
        Array.Fill(result, -1);
        if (rows == 0 || cols == 0)
        {
            return result;
        }
        // Pairs over the threshold cost more than any set of pairs under it, so the assignment first maximises how many
        // speakers are named and then minimises their distance; those pairs are dropped afterwards.
        double over = 1;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                if (distances[i, j] <= threshold)
                {
                    over += Math.Abs(distances[i, j]);
                }
            }
        }
        var cost = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double d = distances[i, j];
                cost[i, j] = double.IsFinite(d) && d <= threshold ? d : over * (1 + rows);
            }
        }
        var assigned = HungarianAlgorithm.Minimize(cost);
        for (int i = 0; i < rows; i++)
        {
            int j = assigned[i];
            if (j >= 0 && double.IsFinite(distances[i, j]) && distances[i, j] <= threshold)
            {
                result[i] = j;
            }
        }
        return result;
    }
}
