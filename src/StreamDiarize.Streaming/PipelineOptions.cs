// Sizes of the pipeline's blocks and bounded channels; validated once, at construction.
namespace StreamDiarize.Streaming;

public sealed record PipelineOptions
{
    /// <summary>Blocks each internal channel holds before the writer waits (backpressure).</summary>
    public int ChannelCapacityBlocks { get; init; } = 8;

    /// <summary>Samples read from the source per block (at the source's rate): 20 ms at 16 kHz by default.</summary>
    public int SourceBlockSamples { get; init; } = 320;

    /// <summary>Analysis frames per block sent to the diarizer.</summary>
    public int FramesPerBlock { get; init; } = 4;

    /// <summary>
    /// Give a diarizer that may wait on other sessions (<see cref="Core.Streaming.IFrameDiarizer.MayWait"/>, a
    /// micro-batched model) a thread of its own. Off only to measure what waiting on pool threads costs.
    /// </summary>
    public bool WaitingDiarizerOnOwnThread { get; init; } = true;

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (ChannelCapacityBlocks is < 1 or > 4096)
        {
            errors.Add($"ChannelCapacityBlocks {ChannelCapacityBlocks} is invalid: use 1 to 4096");
        }
        if (SourceBlockSamples is < 16 or > 192000)
        {
            errors.Add($"SourceBlockSamples {SourceBlockSamples} is invalid: use 16 to 192000");
        }
        if (FramesPerBlock is < 1 or > 1000)
        {
            errors.Add($"FramesPerBlock {FramesPerBlock} is invalid: use 1 to 1000");
        }
        return errors;
    }
}
