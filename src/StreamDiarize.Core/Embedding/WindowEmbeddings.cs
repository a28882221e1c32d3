// One embedding per sliding window with the window's centre: what the embedder hands the clusterer and the labeller.
namespace StreamDiarize.Core.Embedding;

/// <summary>
/// <see cref="Count"/> x <see cref="Dims"/> embeddings, row-major in <see cref="Data"/>; window w is centred on mask
/// frame <see cref="CentreFrames"/>[w] (increasing).
/// </summary>
public sealed class WindowEmbeddings
{
    public WindowEmbeddings(double[] data, int dims, int[] centreFrames, double frameHopSeconds)
    {
        if (dims < 1 || data.Length != (long)centreFrames.Length * dims)
        {
            throw new ArgumentException($"Data has {data.Length} values, not windows ({centreFrames.Length}) x dims ({dims}).", nameof(data));
        }
        Data = data;
        Dims = dims;
        CentreFrames = centreFrames;
        FrameHopSeconds = frameHopSeconds;
    }

    public double[] Data { get; }

    public int Dims { get; }

    public int Count => CentreFrames.Length;

    public int[] CentreFrames { get; }

    public double FrameHopSeconds { get; }

    /// <summary>
    /// The statistics before the session normalisation, when the embedder made them (MFCC statistics; not a neural
    /// embedder): lets a subset of windows be normalised on its own (<see cref="Clustering.RecursiveSplitter"/>).
    /// </summary>
    public WindowStatistics? Statistics { get; init; }

    public ReadOnlySpan<double> Row(int window) => Data.AsSpan(window * Dims, Dims);

    /// <summary>Centre of window <paramref name="window"/> on the mask's clock (frame i starts at i * hop).</summary>
    public double CentreSeconds(int window) => CentreFrames[window] * FrameHopSeconds;
}
