// Where live audio comes from (file, stdin, gRPC, microphone): a pull interface, so backpressure reaches the source.
namespace StreamDiarize.Core.Audio;

/// <summary>
/// A mono float stream at <see cref="SampleRateHz"/>. The pipeline reads only when it has room,
/// so a slow pipeline slows the reads rather than piling up audio.
/// </summary>
public interface IAudioSource : IAsyncDisposable
{
    /// <summary>What the source is, for messages: a file path, "stdin", "grpc:session-id", "mic:device".</summary>
    string Name { get; }

    int SampleRateHz { get; }

    /// <summary>Reads up to <c>buffer.Length</c> samples; returns 0 at the end of the stream.</summary>
    ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken);
}
