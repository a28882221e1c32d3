// Hand-made test signals: quiet seeded noise with loud tone bursts where the test says, so the speech is known exactly;
// plus voiced (harmonic) and unvoiced (band noise) bursts of equal band energy for the voicing gate.
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

    /// <summary>A voiced-like harmonic complex: equal-amplitude harmonics of <paramref name="f0Hz"/> from 300 to 3400 Hz, RMS <paramref name="rms"/>.</summary>
    public static float[] HarmonicComplex(int samples, double f0Hz, double rms)
    {
        var y = new double[samples];
        for (int h = (int)Math.Ceiling(300 / f0Hz); h * f0Hz < 3400; h++)
        {
            for (int i = 0; i < samples; i++)
            {
                y[i] += Math.Sin(2 * Math.PI * h * f0Hz * i / RateHz + h);
            }
        }
        return Scaled(y, rms);
    }

    /// <summary>Seeded white noise band-passed to 300-3400 Hz (windowed-sinc FIR), RMS <paramref name="rms"/>: the same band as the complex, no pitch.</summary>
    public static float[] BandNoise(int samples, double rms, int seed = 11)
    {
        const int Taps = 255;
        var random = new Random(seed);
        var white = new double[samples + Taps];
        for (int i = 0; i < white.Length; i++)
        {
            white[i] = 2 * random.NextDouble() - 1;
        }
        var kernel = new double[Taps];
        for (int n = 0; n < Taps; n++)
        {
            double m = n - (Taps - 1) / 2.0;
            double hamming = 0.54 - 0.46 * Math.Cos(2 * Math.PI * n / (Taps - 1));
            kernel[n] = (LowPass(m, 3400) - LowPass(m, 300)) * hamming;
        }
        var y = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            double sum = 0;
            for (int n = 0; n < Taps; n++)
            {
                sum += kernel[n] * white[i + n];
            }
            y[i] = sum;
        }
        return Scaled(y, rms);
    }

    /// <summary>Adds <paramref name="burst"/> into <paramref name="signal"/> from <paramref name="startSeconds"/>.</summary>
    public static void Add(float[] signal, float[] burst, double startSeconds)
    {
        int start = (int)(startSeconds * RateHz);
        for (int i = 0; i < burst.Length; i++)
        {
            signal[start + i] += burst[i];
        }
    }

    private static double LowPass(double m, double cutoffHz)
    {
        double fc = cutoffHz / RateHz;
        return m == 0 ? 2 * fc : Math.Sin(2 * Math.PI * fc * m) / (Math.PI * m);
    }

    private static float[] Scaled(double[] y, double rms)
    {
        double sum = 0;
        foreach (double v in y)
        {
            sum += v * v;
        }
        double gain = rms / Math.Sqrt(sum / y.Length);
        var result = new float[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            result[i] = (float)(gain * y[i]);
        }
        return result;
    }
}
