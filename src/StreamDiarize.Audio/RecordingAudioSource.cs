// Keeps what a live source delivered: a decorator that writes every sample read to a WAV file (mic --save-audio).
using NAudio.Wave;
using StreamDiarize.Core.Audio;

namespace StreamDiarize.Audio;

/// <summary>Reads through <paramref name="inner"/> and appends each sample to a 32-bit float mono WAV at its rate.</summary>
public sealed class RecordingAudioSource(IAudioSource inner, string wavPath) : IAudioSource
{
    private readonly WaveFileWriter _writer = new(wavPath, WaveFormat.CreateIeeeFloatWaveFormat(inner.SampleRateHz, 1));

    public string Name => inner.Name;

    public int SampleRateHz => inner.SampleRateHz;

    public async ValueTask<int> ReadAsync(Memory<float> buffer, CancellationToken cancellationToken)
    {
        int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            foreach (var sample in buffer.Span[..read])
            {
                _writer.WriteSample(sample);
            }
        }
        return read;
    }

    /// <summary>Closes the WAV file. The inner source belongs to the caller and is not disposed here.</summary>
    public async ValueTask DisposeAsync() => await _writer.DisposeAsync().ConfigureAwait(false);
}
