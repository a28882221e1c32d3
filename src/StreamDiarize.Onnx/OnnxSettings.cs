// The "Onnx" configuration section: how speaker models are opened (threads, metadata overrides) and run (micro-batching).
using StreamDiarize.Core.Options;

namespace StreamDiarize.Onnx;

/// <summary>Settings shared by every ONNX speaker model a process opens (`file --embedder onnx:PATH`, the daemon's sessions).</summary>
public sealed record OnnxSettings : Core.Options.IValidatedSettings
{
    public const string SectionName = "Onnx";

    /// <summary>Threads and metadata overrides; every model of the process is opened with these.</summary>
    public OnnxEmbedderOptions Embedder { get; init; } = new();

    /// <summary>
    /// Live sessions wait for a micro-batch shared with other sessions instead of running their window at once. Off by
    /// default: the scheduler runs one batch at a time, so on few cores direct Runs from each session's thread give more
    /// embeddings per second and no added latency (docs/ONNX.md).
    /// </summary>
    public bool MicroBatch { get; init; }

    /// <summary>The micro-batch size and wait, when <see cref="MicroBatch"/> is on.</summary>
    public OnnxBatchSchedulerOptions Scheduler { get; init; } = new();

    /// <summary>z-score each embedding dimension across windows before clustering, as the MFCC statistics are. Off: a speaker model's embeddings are compared as they are.</summary>
    public bool ZScoreAcrossWindows { get; init; }

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        errors.AddRange((Embedder?.GetValidationErrors() ?? ["is null"]).Select(e => "Onnx:Embedder: " + e));
        errors.AddRange((Scheduler?.GetValidationErrors() ?? ["is null"]).Select(e => "Onnx:Scheduler: " + e));
        return errors;
    }

    public OnnxSettings Validate()
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(errors);
        }
        return this;
    }
}
