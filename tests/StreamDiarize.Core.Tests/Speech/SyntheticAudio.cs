// Hand-made test signals: quiet seeded noise with loud tone bursts where the test says, so the speech is known exactly.
namespace StreamDiarize.Core.Tests.Speech;

internal static class SyntheticAudio
{
    public const int RateHz = 16000;

    /// <summary>White noise of amplitude 0.001 with 1 kHz bursts of amplitude 0.3 over the given (start, end) seconds.</summary>
    public static float[] ToneBurstsInNoise(double seconds, params (double Start, double End)[] bursts) =>
        ToneBurstsInNoise(seconds, [.. bursts.Select(b => (b.Start, b.End, 1000.0))]);

    /// <summary>As above, each burst at its own frequency (Hz).</summary>
    public static float[] ToneBurstsInNoise(double seconds, (double Start, double End, double Hz)[] bursts)
    {
        var random = new Random(7);
        var y = new float[(int)(seconds * RateHz)];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = (float)(0.001 * (2 * random.NextDouble() - 1));
        }
        foreach (var (start, end, hz) in bursts)
        {
            for (int i = (int)(start * RateHz); i < (int)(end * RateHz); i++)
            {
                y[i] += (float)(0.3 * Math.Sin(2 * Math.PI * hz * i / RateHz));
            }
        }
        return y;
    }
}
