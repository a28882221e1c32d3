// What one offline spectral clustering produced, with the eigenvalues behind its choice of cluster count.
namespace StreamDiarize.Core.Clustering;

/// <param name="Labels">Cluster per input row, numbered 0, 1, 2, ... in order of first appearance.</param>
/// <param name="ClusterCount">Number of distinct labels.</param>
/// <param name="ChosenK">The k given to k-means (eigengap, clamped by Min/Max/ExactClusters and the input size).</param>
/// <param name="TopEigenvalues">The largest eigenvalues of the refined affinity, descending (at least 10 when available).</param>
public sealed record SpectralClusteringResult(int[] Labels, int ClusterCount, int ChosenK, double[] TopEigenvalues);

/// <summary>Eigenpairs sorted by eigenvalue (real part), largest first; column i of <see cref="Vectors"/> belongs to <see cref="Values"/>[i].</summary>
public sealed record SortedEigen(double[] Values, MathNet.Numerics.LinearAlgebra.Matrix<double> Vectors);
