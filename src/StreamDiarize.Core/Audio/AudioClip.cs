// A whole decoded recording: mono float samples at a known rate, named by its file id.
namespace StreamDiarize.Core.Audio;

/// <summary>Mono audio in [-1, 1] with its rate. <paramref name="Id"/> is the file id used in RTTM.</summary>
public sealed record AudioClip(string Id, float[] Samples, int SampleRateHz)
{
    public double DurationSeconds => SampleRateHz > 0 ? (double)Samples.Length / SampleRateHz : 0;
}
