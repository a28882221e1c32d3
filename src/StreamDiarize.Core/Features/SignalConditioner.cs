// The seed's sample-level steps in its order (peak gain, dither, pre-emphasis), carried sample by sample across chunks.
namespace StreamDiarize.Core.Features;

/// <summary>
/// Causal conditioning. Noise is drawn in sample order from a seeded generator, and pre-emphasis remembers the
/// previous sample, so any chunking of a signal gives the same output as one call.
/// </summary>
internal sealed class SignalConditioner
{
    private readonly double gain;
    private readonly double dither;
    private readonly double preEmphasis;
    private readonly int seed;
    private Random random;
    private double previous;
    private double spareGaussian;
    private bool hasSpare;

    public SignalConditioner(FeaturizerOptions options, double gain)
    {
        this.gain = gain;
        dither = options.DitherAmount;
        preEmphasis = options.PreEmphasis;
        seed = options.DitherSeed;
        random = new Random(seed);
    }

    public void Reset()
    {
        random = new Random(seed);
        previous = 0;
        hasSpare = false;
    }

    public void Process(ReadOnlySpan<float> input, Span<double> output)
    {
        for (int i = 0; i < input.Length; i++)
        {
            double x = input[i] * gain;
            if (dither > 0)
            {
                x += dither * NextGaussian();
            }
            output[i] = x - preEmphasis * previous;
            previous = x;
        }
    }

    private double NextGaussian()
    {
        // Box-Muller gives two normals per pair of uniforms; keep the second for the next sample.
        if (hasSpare)
        {
            hasSpare = false;
            return spareGaussian;
        }
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        spareGaussian = r * Math.Sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.Cos(2 * Math.PI * u2);
    }
}
