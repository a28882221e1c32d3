// Presents an in-memory mono float array as an NAudio sample provider, so NAudio's resampler can read it.
using NAudio.Wave;

namespace StreamDiarize.Audio;

public sealed class FloatArraySampleProvider(float[] samples, int sampleRateHz) : ISampleProvider
{
    private int _position;

    public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(sampleRateHz, 1);

    public int Read(Span<float> buffer)
    {
        int count = Math.Min(buffer.Length, samples.Length - _position);
        samples.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
