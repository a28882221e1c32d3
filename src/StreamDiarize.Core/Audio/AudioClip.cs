// A whole decoded recording: mono float samples at a known rate, named by its file id.
namespace StreamDiarize.Core.Audio;

/// <summary>Mono audio in [-1, 1] with its rate. <paramref name="Id"/> is the file id used in RTTM.</summary>
public sealed record AudioClip(string Id, float[] Samples, int SampleRateHz)
{
    /// <summary>
    /// The rate the audio was recorded at, before any resampling to <see cref="SampleRateHz"/> (null: unknown, or the
    /// same). Audio recorded at a lower rate has nothing above that rate's Nyquist frequency, and the features leave
    /// that band out (<see cref="Features.FeaturizerOptions.ForSourceRate"/>).
    /// </summary>
    public int? SourceSampleRateHz { get; init; }

    public double DurationSeconds => SampleRateHz > 0 ? (double)Samples.Length / SampleRateHz : 0;
}
