// Seeded white or pink noise at a given RMS, added to the mixed meeting.
namespace StreamDiarize.Synth;

internal static class NoiseGenerator
{
    /// <summary>Adds noise of <paramref name="kind"/> with RMS <paramref name="rms"/> to <paramref name="mix"/> in place.</summary>
    public static void AddTo(float[] mix, NoiseKind kind, double rms, int seed)
    {
        // Two passes over the same seeded sequence instead of a noise buffer: a 60-minute buffer would be another 230 MB.
        double energy = 0;
        Generate(mix.Length, kind, seed, (_, value) => energy += value * value);
        // Scale by the measured RMS so the SNR is what was asked, whatever the filter's gain.
        double gain = rms / Math.Sqrt(energy / Math.Max(1, mix.Length));
        Generate(mix.Length, kind, seed, (i, value) => mix[i] += (float)(value * gain));
    }

    private static void Generate(int length, NoiseKind kind, int seed, Action<int, double> sink)
    {
        var rng = new Random(seed);
        // Pink by Paul Kellet's economy filter (three poles, +-0.5 dB above 9 Hz at 44.1 kHz; close enough at 16 kHz).
        double b0 = 0, b1 = 0, b2 = 0;
        for (int i = 0; i < length; i++)
        {
            double white = Gaussian(rng);
            double value = white;
            if (kind == NoiseKind.Pink)
            {
                b0 = 0.99765 * b0 + white * 0.0990460;
                b1 = 0.96300 * b1 + white * 0.2965164;
                b2 = 0.57000 * b2 + white * 1.0526913;
                value = b0 + b1 + b2 + white * 0.1848;
            }
            sink(i, value);
        }
    }

    private static double Gaussian(Random rng)
    {
        // Box-Muller; 1 - NextDouble() keeps the logarithm away from zero.
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
