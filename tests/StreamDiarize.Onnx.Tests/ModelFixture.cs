// A temp folder of test models plus a private registry, so tests neither share sessions nor leave files behind.
using StreamDiarize.Core.Features;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Onnx.Tests;

internal sealed class ModelFixture : IDisposable
{
    public string Dir { get; } = RepoPaths.NewTempDir();

    public OnnxModelRegistry Registry { get; } = new();

    public string Write(string name, byte[] bytes) => TestModels.Write(Dir, name, bytes);

    public void Dispose()
    {
        Registry.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder is not worth failing a test over.
        }
    }

    /// <summary>Deterministic test audio: tones whose pitch depends on <paramref name="seed"/>, plus a little noise.</summary>
    public static float[] Window(int samples, int seed)
    {
        var rng = new Random(seed);
        var x = new float[samples];
        double f1 = 150 + (seed * 37 % 300), f2 = 900 + (seed * 131 % 2000);
        for (int i = 0; i < samples; i++)
        {
            double t = i / 16000.0;
            x[i] = (float)((0.3 * Math.Sin(2 * Math.PI * f1 * t)) + (0.1 * Math.Sin(2 * Math.PI * f2 * t)) + (0.01 * (rng.NextDouble() - 0.5)));
        }
        return x;
    }

    /// <summary>
    /// What <see cref="TestModels.SquareMeanEmbedder"/> should give, computed here from the fbank:
    /// normalise per bin over frames, square, average over frames, multiply by W.
    /// </summary>
    public static float[] ExpectedSquareMean(float[] samples, bool normalizeSamples, string normalization, int dim = 16)
    {
        var fbank = new KaldiFbank(new KaldiFbankOptions { NormalizeSamples = normalizeSamples });
        var f = fbank.Compute(samples);
        int frames = f.Length / 80;
        var pooled = new double[80];
        for (int b = 0; b < 80; b++)
        {
            double mean = 0;
            for (int t = 0; t < frames; t++)
            {
                mean += f[(t * 80) + b];
            }
            mean /= frames;
            double var = 0;
            for (int t = 0; t < frames; t++)
            {
                var += Math.Pow(f[(t * 80) + b] - mean, 2);
            }
            double scale = normalization == "mean-var" ? 1.0 / (Math.Sqrt(var / (frames - 1)) + 1e-5) : 1.0;
            double center = normalization == "none" ? 0 : mean;
            double sum = 0;
            for (int t = 0; t < frames; t++)
            {
                double v = (f[(t * 80) + b] - center) * scale;
                sum += v * v;
            }
            pooled[b] = sum / frames;
        }
        var w = TestModels.Weights(80, dim);
        var e = new float[dim];
        for (int d = 0; d < dim; d++)
        {
            double s = 0;
            for (int b = 0; b < 80; b++)
            {
                s += pooled[b] * w[(b * dim) + d];
            }
            e[d] = (float)s;
        }
        return e;
    }

    public static void AssertClose(float[] expected, ReadOnlySpan<float> actual, double relative = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs(v)) + 1e-6;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale, $"[{i}] expected {expected[i]}, got {actual[i]}");
        }
    }
}
