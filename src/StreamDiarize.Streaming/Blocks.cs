// The units that travel through the channels. Their arrays are rented from the shared pool and returned by the consumer.
using System.Buffers;

namespace StreamDiarize.Streaming;

/// <summary>Mono samples <c>[StartSample, StartSample + Count)</c> of the stream, in a pooled array.</summary>
internal readonly record struct AudioBlock(float[] Buffer, int Count, long StartSample)
{
    public ReadOnlySpan<float> Samples => Buffer.AsSpan(0, Count);

    public void Return() => ArrayPool<float>.Shared.Return(Buffer);
}

/// <summary><see cref="Frames"/> analysis frames of <see cref="Dims"/> values, starting at frame <see cref="FirstFrame"/>.</summary>
internal readonly record struct FrameBlock(float[] Buffer, int Frames, int Dims, long FirstFrame)
{
    public ReadOnlySpan<float> Frame(int i) => Buffer.AsSpan(i * Dims, Dims);

    public void Return() => ArrayPool<float>.Shared.Return(Buffer);
}
