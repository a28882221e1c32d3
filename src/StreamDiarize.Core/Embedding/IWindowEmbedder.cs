// The seam between window placement and what a window's embedding is made of: MFCC statistics need no samples,
// a neural model (StreamDiarize.Onnx) embeds each window's raw 16 kHz samples. Core knows only this contract.
namespace StreamDiarize.Core.Embedding;

/// <summary>A window of a clip, in samples from the clip's first sample.</summary>
public readonly record struct SampleRange(int Start, int Length);

/// <summary>
/// Embeds windows of 16 kHz mono samples, each into <see cref="Dimension"/> values of unit length. Implementations are
/// thread-safe, so one instance (and the model behind it) serves every session of a process.
/// </summary>
public interface IWindowEmbedder
{
    int Dimension { get; }

    /// <summary>The rate the samples must have.</summary>
    int SampleRateHz { get; }

    /// <summary>
    /// Whether each dimension is to be z-scored across the windows (of a clip, or of a session so far) before clustering.
    /// MFCC statistics need it; a speaker model's embeddings are meant to be compared as they are.
    /// </summary>
    bool ZScoreAcrossWindows { get; }

    /// <summary>
    /// Writes the embedding of each window of <paramref name="samples"/> into <paramref name="output"/>, row-major
    /// ([windows.Length, <see cref="Dimension"/>]). Windows may overlap; the last one of a clip may be shorter.
    /// </summary>
    void EmbedWindows(ReadOnlyMemory<float> samples, ReadOnlySpan<SampleRange> windows, Span<float> output);

    /// <summary>
    /// Whether <see cref="EmbedWindows"/> may wait for other callers (a batch shared between sessions). The live
    /// pipeline then runs the session's diarizer on a thread of its own, so the wait never holds a thread-pool thread.
    /// </summary>
    bool WaitsForOtherCallers => false;
}
