// Optimal one-to-one assignment on a rectangular matrix (Kuhn-Munkres with potentials, O(n^2 m)).
// Used to map hypothesis speakers onto reference speakers, and cluster ids onto stable speaker ids.
namespace StreamDiarize.Core.Scoring;

/// <summary>
/// Solves the linear assignment problem: pick at most one column per row and one row per column,
/// as many pairs as the smaller side allows, so that the sum of the chosen entries is minimal (or maximal).
/// </summary>
public static class HungarianAlgorithm
{
    /// <summary>Assignment with the least total cost.</summary>
    /// <returns>For each row, its column, or -1 when the matrix has more rows than columns and the row is left out.</returns>
    /// <exception cref="ArgumentException">An entry is NaN or infinite.</exception>
    public static int[] Minimize(double[,] cost) => Solve(cost, maximize: false);

    /// <summary>Assignment with the greatest total value (e.g. overlap seconds).</summary>
    /// <returns>For each row, its column, or -1 when the matrix has more rows than columns and the row is left out.</returns>
    /// <exception cref="ArgumentException">An entry is NaN or infinite.</exception>
    public static int[] Maximize(double[,] value) => Solve(value, maximize: true);

    private static int[] Solve(double[,] matrix, bool maximize)
    {
        var rows = matrix.GetLength(0);
        var cols = matrix.GetLength(1);
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                if (!double.IsFinite(matrix[i, j]))
                {
                    throw new ArgumentException($"entry [{i},{j}] is {matrix[i, j]}; the assignment needs finite numbers", nameof(matrix));
                }
            }
        }

        var result = new int[rows];
        Array.Fill(result, -1);
        if (rows == 0 || cols == 0)
        {
            return result;
        }

        // The potentials method below needs rows <= columns; a tall matrix is solved transposed.
        var transpose = rows > cols;
        var n = transpose ? cols : rows;
        var m = transpose ? rows : cols;
        var sign = maximize ? -1.0 : 1.0;
        double Cost(int i, int j) => sign * (transpose ? matrix[j, i] : matrix[i, j]);

        // 1-based arrays, index 0 is the virtual start column (after e-maxx's formulation).
        var u = new double[n + 1];
        var v = new double[m + 1];
        var rowOfColumn = new int[m + 1];
        var way = new int[m + 1];
        var minSlack = new double[m + 1];
        var used = new bool[m + 1];
        for (var i = 1; i <= n; i++)
        {
            rowOfColumn[0] = i;
            var j0 = 0;
            Array.Fill(minSlack, double.PositiveInfinity);
            Array.Fill(used, false);
            do
            {
                used[j0] = true;
                var i0 = rowOfColumn[j0];
                var delta = double.PositiveInfinity;
                var j1 = 0;
                for (var j = 1; j <= m; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }
                    var slack = Cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if (slack < minSlack[j])
                    {
                        minSlack[j] = slack;
                        way[j] = j0;
                    }
                    if (minSlack[j] < delta)
                    {
                        delta = minSlack[j];
                        j1 = j;
                    }
                }
                for (var j = 0; j <= m; j++)
                {
                    if (used[j])
                    {
                        u[rowOfColumn[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minSlack[j] -= delta;
                    }
                }
                j0 = j1;
            }
            while (rowOfColumn[j0] != 0);

            // Flip the augmenting path back to the start column.
            do
            {
                var j1 = way[j0];
                rowOfColumn[j0] = rowOfColumn[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        for (var j = 1; j <= m; j++)
        {
            if (rowOfColumn[j] == 0)
            {
                continue;
            }
            var row = rowOfColumn[j] - 1;
            var col = j - 1;
            if (transpose)
            {
                result[col] = row;
            }
            else
            {
                result[row] = col;
            }
        }
        return result;
    }
}
