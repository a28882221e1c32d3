// The assignment solver against hand-solved matrices and brute force.
using StreamDiarize.Core.Scoring;

namespace StreamDiarize.Core.Tests.Scoring;

public class HungarianAlgorithmTests
{
    [Fact]
    public void Minimize_finds_the_cheapest_assignment_of_a_square_matrix()
    {
        // 1 + 2 + 2 = 5 beats every other permutation (the greedy row minima 1, 0 collide in column 1).
        var cost = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };

        Assert.Equal([1, 0, 2], HungarianAlgorithm.Minimize(cost));
    }

    [Fact]
    public void Maximize_finds_the_largest_total_overlap()
    {
        var overlap = new double[,] { { 5, 9, 0 }, { 8, 7, 0 }, { 0, 0, 1 } };

        Assert.Equal([1, 0, 2], HungarianAlgorithm.Maximize(overlap));
    }

    [Fact]
    public void Wide_matrix_assigns_every_row_to_a_distinct_column()
    {
        var cost = new double[,] { { 3, 1, 9, 9 }, { 3, 1, 2, 9 } };

        Assert.Equal([1, 2], HungarianAlgorithm.Minimize(cost));
    }

    [Fact]
    public void Tall_matrix_leaves_the_worst_rows_unassigned()
    {
        var value = new double[,] { { 1, 0 }, { 10, 0 }, { 0, 4 } };

        Assert.Equal([-1, 0, 1], HungarianAlgorithm.Maximize(value));
    }

    [Fact]
    public void Empty_matrices_give_empty_or_unassigned_results()
    {
        Assert.Empty(HungarianAlgorithm.Minimize(new double[0, 3]));
        Assert.Equal([-1, -1], HungarianAlgorithm.Minimize(new double[2, 0]));
    }

    [Fact]
    public void Non_finite_entries_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => HungarianAlgorithm.Minimize(new double[,] { { 1, double.NaN } }));
        Assert.Throws<ArgumentException>(() => HungarianAlgorithm.Maximize(new double[,] { { double.PositiveInfinity } }));
    }

    [Fact]
    public void Results_match_brute_force_on_random_rectangular_matrices()
    {
        var random = new Random(1234);
        for (var trial = 0; trial < 300; trial++)
        {
            var rows = random.Next(1, 6);
            var cols = random.Next(1, 6);
            var matrix = new double[rows, cols];
            for (var i = 0; i < rows; i++)
            {
                for (var j = 0; j < cols; j++)
                {
                    // Few distinct values, so ties are common, as they are with overlap seconds.
                    matrix[i, j] = random.Next(0, 4) + (random.Next(2) * 0.5);
                }
            }

            var min = HungarianAlgorithm.Minimize(matrix);
            var max = HungarianAlgorithm.Maximize(matrix);

            AssertValid(min, rows, cols);
            AssertValid(max, rows, cols);
            Assert.Equal(BruteForce(matrix, maximize: false), Total(matrix, min), 9);
            Assert.Equal(BruteForce(matrix, maximize: true), Total(matrix, max), 9);
        }
    }

    private static void AssertValid(int[] assignment, int rows, int cols)
    {
        Assert.Equal(rows, assignment.Length);
        var assigned = assignment.Where(c => c >= 0).ToList();
        Assert.Equal(Math.Min(rows, cols), assigned.Count);
        Assert.Equal(assigned.Count, assigned.Distinct().Count());
        Assert.All(assigned, c => Assert.InRange(c, 0, cols - 1));
    }

    private static double Total(double[,] matrix, int[] assignment) =>
        assignment.Select((c, r) => c >= 0 ? matrix[r, c] : 0).Sum();

    // Best total over all injective maps of the smaller side into the larger.
    private static double BruteForce(double[,] matrix, bool maximize)
    {
        var rows = matrix.GetLength(0);
        var cols = matrix.GetLength(1);
        var best = maximize ? double.NegativeInfinity : double.PositiveInfinity;
        var usedCols = new bool[cols];
        void Search(int row, int assigned, double sum)
        {
            if (row == rows)
            {
                if (assigned == Math.Min(rows, cols))
                {
                    best = maximize ? Math.Max(best, sum) : Math.Min(best, sum);
                }
                return;
            }
            if (rows - row - 1 >= Math.Min(rows, cols) - assigned)
            {
                Search(row + 1, assigned, sum);
            }
            for (var c = 0; c < cols; c++)
            {
                if (!usedCols[c])
                {
                    usedCols[c] = true;
                    Search(row + 1, assigned + 1, sum + matrix[row, c]);
                    usedCols[c] = false;
                }
            }
        }
        Search(0, 0, 0);
        return best;
    }
}
