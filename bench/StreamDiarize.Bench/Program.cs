// Measures SpectralClusterer's wall time and peak memory against n, to pick MaxInputSize (docs/CLUSTERING_SCALING.md).
// Usage: dotnet run -c Release --project bench/StreamDiarize.Bench [-- n1 n2 ...]; each n runs in its own process.
using System.Diagnostics;
using MathNet.Numerics.LinearAlgebra.Double;
using StreamDiarize.Core.Clustering;

const int Dims = 80;
const int Speakers = 4;
const double StopAfterSeconds = 60;

if (args.Length == 2 && args[0] == "--single")
{
    RunSingle(int.Parse(args[1]));
    return;
}

int[] sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : [250, 500, 1000, 1500, 2000, 3000];
Console.WriteLine($"MathNet provider: {MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl.Provider}; cores: {Environment.ProcessorCount}; dims {Dims}; {Speakers} blobs");
Console.WriteLine("| n | affinity s | refine s | eigen s | k-means s | Predict total s | peak working set MB | managed heap after MB | k |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (int n in sizes)
{
    var self = Environment.ProcessPath!;
    var dll = typeof(SpectralClusterer).Assembly.Location.Replace("StreamDiarize.Core.dll", "StreamDiarize.Bench.dll", StringComparison.Ordinal);
    var info = self.EndsWith("dotnet", StringComparison.Ordinal)
        ? new ProcessStartInfo(self, [dll, "--single", n.ToString()])
        : new ProcessStartInfo(self, ["--single", n.ToString()]);
    info.RedirectStandardOutput = true;
    using var child = Process.Start(info)!;
    string line = child.StandardOutput.ReadToEnd().Trim();
    child.WaitForExit();
    Console.WriteLine(line);
    double total = double.Parse(line.Split('|', StringSplitOptions.RemoveEmptyEntries)[5]);
    if (total > StopAfterSeconds)
    {
        Console.WriteLine($"stopped: n = {n} took more than {StopAfterSeconds} s");
        break;
    }
}

static void RunSingle(int n)
{
    var embeddings = Blobs(n, seed: 42);
    // Generous limit: the bench measures past the production default.
    var options = new SpectralClustererOptions { MaxInputSize = int.MaxValue };

    // Stage timings through the public static steps (the same ones Predict runs).
    var matrix = DenseMatrix.Create(n, Dims, (r, d) => embeddings[r][d]);
    var sw = Stopwatch.StartNew();
    var affinity = SpectralClusterer.ComputeAffinity(matrix);
    double tAffinity = sw.Elapsed.TotalSeconds;
    sw.Restart();
    var refined = AffinityRefinement.Apply(affinity, options);
    double tRefine = sw.Elapsed.TotalSeconds;
    sw.Restart();
    var eigen = SpectralClusterer.ComputeSortedEigen(refined);
    double tEigen = sw.Elapsed.TotalSeconds;
    int k = Math.Max(SpectralClusterer.EstimateClusterCount(eigen.Values, options.MaxClusters, options.StopEigenvalue), options.MinClusters);
    var spectral = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, k).Select(j => eigen.Vectors[i, j]).ToArray()).ToArray();
    sw.Restart();
    CosineKMeans.Cluster(spectral, k, options.KMeansMaxIterations, options.Seed);
    double tKMeans = sw.Elapsed.TotalSeconds;
    affinity = refined = null!;
    eigen = null!;
    GC.Collect();

    // The whole Predict, as a caller sees it.
    sw.Restart();
    var result = new SpectralClusterer(options).Cluster(embeddings);
    double total = sw.Elapsed.TotalSeconds;
    double heapMb = GC.GetTotalMemory(forceFullCollection: false) / 1048576.0;
    double peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    Console.WriteLine($"| {n} | {tAffinity:F2} | {tRefine:F2} | {tEigen:F2} | {tKMeans:F3} | {total:F2} | {peakMb:F0} | {heapMb:F0} | {result.ChosenK} |");
}

// Speakers as Gaussian blobs around random unit-ish centres, speaker turns in runs like a conversation.
static float[][] Blobs(int n, int seed)
{
    var random = new Random(seed);
    var centres = new double[Speakers][];
    for (int s = 0; s < Speakers; s++)
    {
        centres[s] = Enumerable.Range(0, Dims).Select(_ => Gaussian(random)).ToArray();
    }
    var rows = new float[n][];
    int speaker = 0;
    for (int i = 0; i < n; i++)
    {
        if (i % 25 == 0)
        {
            speaker = random.Next(Speakers);
        }
        rows[i] = centres[speaker].Select(c => (float)(c + 0.5 * Gaussian(random))).ToArray();
    }
    return rows;
}

static double Gaussian(Random random) =>
    Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
