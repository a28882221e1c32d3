// An in-memory clip as a live source, in fixed or seeded-random chunk sizes: how `file --streaming` and the tests feed the pipeline.
namespace StreamDiarize.Core.Audio;

public sealed class ClipAudioSource : IAudioSource
{
    private readonly AudioClip _clip;
    private readonly Random? _random;
    private readonly int _minChunk;
    private readonly int _maxChunk;
    private int _position;

    /// <summary>Chunks of <paramref name="minChunkSamples"/> to <paramref name="maxChunkSamples"/>, drawn with <paramref name="seed"/> when they differ.</summary>
    public ClipAudioSource(AudioClip clip, int minChunkSamples = 1600, int maxChunkSamples = 1600, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minChunkSamples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunkSamples, minChunkSamples);
        _clip = clip;
        _minChunk = minChunkSamples;
        _maxChunk = maxChunkSamples;
        _random = maxChunkSamples > minChunkSamples ? new Random(seed) : null;
    }

    public string Name => _clip.Id;

    public int SampleRateHz => _clip.SampleRateHz;

    public ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int want = _random is null ? _minChunk : _random.Next(_minChunk, _maxChunk + 1);
        int count = Math.Min(Math.Min(want, buffer.Length), _clip.Samples.Length - _position);
        _clip.Samples.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return ValueTask.FromResult(count);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
