// The ONNX speaker model behind Core's window-embedder seam: windows of a clip (offline, batched) or one window at a
// time (live), each embedding scaled to unit length. Direct Runs by default; OnnxBatchScheduler when asked.
using System.Runtime.InteropServices;
using StreamDiarize.Core.Embedding;

namespace StreamDiarize.Onnx;

/// <summary>
/// An <see cref="IWindowEmbedder"/> over an <see cref="OnnxSpeakerEmbedder"/>. Several windows go to the model as one
/// <see cref="OnnxSpeakerEmbedder.EmbedBatch"/>; a single window (the live path) runs directly on the caller's thread, or,
/// when a scheduler is given, waits for a micro-batch shared with other sessions. Thread-safe. Owns neither the embedder
/// nor the scheduler unless built by <see cref="Open"/>.
/// </summary>
public sealed class OnnxWindowEmbedder : IWindowEmbedder, IDisposable
{
    private readonly bool _owns;

    public OnnxWindowEmbedder(OnnxSpeakerEmbedder embedder, OnnxBatchScheduler? scheduler = null, bool zScoreAcrossWindows = false)
        : this(embedder, scheduler, zScoreAcrossWindows, owns: false)
    {
    }

    private OnnxWindowEmbedder(OnnxSpeakerEmbedder embedder, OnnxBatchScheduler? scheduler, bool zScoreAcrossWindows, bool owns)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        Embedder = embedder;
        Scheduler = scheduler;
        ZScoreAcrossWindows = zScoreAcrossWindows;
        _owns = owns;
    }

    /// <summary>Opens the model at <paramref name="modelPath"/> (shared through <paramref name="registry"/>) with <paramref name="settings"/>.</summary>
    /// <exception cref="OnnxModelException">The model is missing, corrupt or not a supported speaker model.</exception>
    public static OnnxWindowEmbedder Open(string modelPath, OnnxSettings? settings = null, OnnxModelRegistry? registry = null)
    {
        settings ??= new OnnxSettings();
        settings.Validate();
        var embedder = new OnnxSpeakerEmbedder(modelPath, settings.Embedder, registry);
        var scheduler = settings.MicroBatch ? new OnnxBatchScheduler(embedder, settings.Scheduler) : null;
        return new OnnxWindowEmbedder(embedder, scheduler, settings.ZScoreAcrossWindows, owns: true);
    }

    public OnnxSpeakerEmbedder Embedder { get; }

    public OnnxBatchScheduler? Scheduler { get; }

    public int Dimension => Embedder.Dimension;

    public int SampleRateHz => Embedder.SampleRateHz;

    public bool ZScoreAcrossWindows { get; }

    /// <summary>With micro-batching a single window waits for its batch (at most MaxWaitMs plus one Run).</summary>
    public bool WaitsForOtherCallers => Scheduler is not null;

    public void EmbedWindows(ReadOnlyMemory<float> samples, ReadOnlySpan<SampleRange> windows, Span<float> output)
    {
        int dim = Dimension;
        if (output.Length != windows.Length * dim)
        {
            throw new ArgumentException($"output has length {output.Length}, {windows.Length} windows of {dim} need {windows.Length * dim}", nameof(output));
        }
        if (windows.Length == 1 && Scheduler is not null)
        {
            // The live diarizer is synchronous: this thread waits for its batch (at most MaxWaitMs plus one Run). The
            // pipeline gives such a diarizer a thread of its own (WaitsForOtherCallers), so no pool thread waits here.
            var w = windows[0];
            Scheduler.EmbedAsync(samples.Slice(w.Start, w.Length)).GetAwaiter().GetResult().CopyTo(output);
        }
        else if (windows.Length == 1)
        {
            var w = windows[0];
            Embedder.Embed(samples.Span.Slice(w.Start, w.Length), output);
        }
        else
        {
            var slices = new ReadOnlyMemory<float>[windows.Length];
            for (int i = 0; i < windows.Length; i++)
            {
                slices[i] = samples.Slice(windows[i].Start, windows[i].Length);
            }
            Embedder.EmbedBatch(slices, output);
        }
        for (int i = 0; i < windows.Length; i++)
        {
            ScaleToUnitLength(output.Slice(i * dim, dim));
        }
    }

    /// <summary>Unit length (a zero vector stays zero): cosine distance is what the clusterer compares.</summary>
    internal static void ScaleToUnitLength(Span<float> v)
    {
        double norm = 0;
        foreach (float x in v)
        {
            norm += (double)x * x;
        }
        if (norm <= 0)
        {
            return;
        }
        float inv = (float)(1 / Math.Sqrt(norm));
        for (int k = 0; k < v.Length; k++)
        {
            v[k] *= inv;
        }
    }

    public void Dispose()
    {
        if (_owns)
        {
            Scheduler?.Dispose();
            Embedder.Dispose();
        }
    }
}
