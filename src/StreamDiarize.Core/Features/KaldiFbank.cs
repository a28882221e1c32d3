// Kaldi-compatible log-mel filter bank (compute-fbank), the input that WeSpeaker, 3D-Speaker and NeMo speaker models expect.
// Frames are processed in buffers allocated once per instance, so featurizing allocates nothing per frame.
using System.Numerics;
using MathNet.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace StreamDiarize.Core.Features;

/// <summary>
/// Computes Kaldi <c>compute-fbank</c> features: frames of <see cref="KaldiFbankOptions.FrameLengthMs"/> every
/// <see cref="KaldiFbankOptions.FrameShiftMs"/> with <c>snip_edges=true</c> (only whole frames, the first starting
/// at sample 0); per frame: optional dither, DC removal, pre-emphasis, window, zero padding to a power of two,
/// power spectrum, triangular HTK-mel filters, natural log with a floor. No energy coefficient is produced.
/// An instance holds scratch buffers and is not thread-safe: use one per thread.
/// </summary>
public sealed class KaldiFbank
{
    private readonly float[] _window;
    private readonly float[] _frame;
    private readonly Complex32[] _spectrum;
    private readonly float[] _power;

    // Mel filters stored sparsely: filter m covers FFT bins [_filterStart[m], _filterStart[m] + _filterWeights[m].Length).
    private readonly int[] _filterStart;
    private readonly float[][] _filterWeights;

    private readonly Random? _ditherRandom;
    private readonly float _inputScale;

    public KaldiFbank(KaldiFbankOptions? options = null)
    {
        Options = options ?? new KaldiFbankOptions();
        Options.Validate();

        FrameLengthSamples = Options.FrameLengthSamples;
        FrameShiftSamples = Options.FrameShiftSamples;
        PaddedLength = (int)BitOperations.RoundUpToPowerOf2((uint)FrameLengthSamples);
        _window = MakeWindow(Options.Window, FrameLengthSamples);
        _frame = new float[FrameLengthSamples];
        _spectrum = new Complex32[PaddedLength];
        _power = new float[PaddedLength / 2];
        (_filterStart, _filterWeights) = MakeMelFilters(Options, PaddedLength);
        _ditherRandom = Options.Dither > 0 ? new Random(Options.DitherSeed) : null;
        // Kaldi reads 16-bit PCM as integer-valued floats; models trained that way need the same scale.
        _inputScale = Options.NormalizeSamples ? 1f : 32768f;
    }

    public KaldiFbankOptions Options { get; }

    public int MelBins => Options.MelBins;

    public int FrameLengthSamples { get; }

    public int FrameShiftSamples { get; }

    /// <summary>The FFT length: the frame length rounded up to a power of two (512 for 25 ms at 16 kHz).</summary>
    public int PaddedLength { get; }

    /// <summary>Frames in <paramref name="sampleCount"/> samples with <c>snip_edges=true</c>: 1 + (n - L) / shift, or 0 when n &lt; L.</summary>
    public int FrameCount(int sampleCount) =>
        sampleCount < FrameLengthSamples ? 0 : 1 + ((sampleCount - FrameLengthSamples) / FrameShiftSamples);

    /// <summary>Features of all whole frames of <paramref name="samples"/>, row-major [frames, MelBins].</summary>
    public float[] Compute(ReadOnlySpan<float> samples)
    {
        var features = new float[FrameCount(samples.Length) * MelBins];
        Compute(samples, features);
        return features;
    }

    /// <summary>
    /// Writes the features of all whole frames of <paramref name="samples"/> into <paramref name="features"/>,
    /// row-major [frames, MelBins], and returns the number of frames.
    /// </summary>
    public int Compute(ReadOnlySpan<float> samples, Span<float> features)
    {
        int frames = FrameCount(samples.Length);
        int bins = MelBins;
        if (features.Length < frames * bins)
        {
            throw new ArgumentException(
                $"features holds {features.Length} values but {frames} frames of {bins} bins need {frames * bins}", nameof(features));
        }
        for (int f = 0; f < frames; f++)
        {
            ComputeFrame(samples.Slice(f * FrameShiftSamples, FrameLengthSamples), features.Slice(f * bins, bins));
        }
        return frames;
    }

    /// <summary>Features of one frame of exactly <see cref="FrameLengthSamples"/> samples.</summary>
    public void ComputeFrame(ReadOnlySpan<float> frameSamples, Span<float> melOut)
    {
        int n = FrameLengthSamples;
        if (frameSamples.Length != n)
        {
            throw new ArgumentException($"a frame has {n} samples, got {frameSamples.Length}", nameof(frameSamples));
        }
        if (melOut.Length < MelBins)
        {
            throw new ArgumentException($"melOut holds {melOut.Length} values, {MelBins} needed", nameof(melOut));
        }

        var frame = _frame.AsSpan();
        for (int i = 0; i < n; i++)
        {
            frame[i] = frameSamples[i] * _inputScale;
        }
        if (_ditherRandom is not null)
        {
            float dither = Options.Dither;
            for (int i = 0; i < n; i++)
            {
                frame[i] += dither * Gaussian(_ditherRandom);
            }
        }
        if (Options.RemoveDcOffset)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += frame[i];
            }
            float mean = (float)(sum / n);
            for (int i = 0; i < n; i++)
            {
                frame[i] -= mean;
            }
        }
        float preemph = (float)Options.PreemphasisCoefficient;
        if (preemph != 0f)
        {
            // Backwards so each sample is filtered with its original predecessor; Kaldi lets sample 0 predict itself.
            for (int i = n - 1; i > 0; i--)
            {
                frame[i] -= preemph * frame[i - 1];
            }
            frame[0] -= preemph * frame[0];
        }

        var spectrum = _spectrum.AsSpan();
        for (int i = 0; i < n; i++)
        {
            spectrum[i] = new Complex32(frame[i] * _window[i], 0f);
        }
        spectrum[n..].Clear();
        // In place, radix-2 for a power-of-two length: no allocation.
        Fourier.Forward(_spectrum, FourierOptions.NoScaling);

        var power = _power.AsSpan();
        for (int k = 0; k < power.Length; k++)
        {
            var c = spectrum[k];
            power[k] = (c.Real * c.Real) + (c.Imaginary * c.Imaginary);
        }

        float floor = Options.LogFloor;
        for (int m = 0; m < MelBins; m++)
        {
            var weights = _filterWeights[m];
            var band = power.Slice(_filterStart[m], weights.Length);
            float energy = 0f;
            for (int k = 0; k < weights.Length; k++)
            {
                energy += weights[k] * band[k];
            }
            melOut[m] = MathF.Log(MathF.Max(energy, floor));
        }
    }

    /// <summary>HTK mel scale, as Kaldi: 1127 ln(1 + f / 700).</summary>
    public static double Mel(double hz) => 1127.0 * Math.Log(1.0 + (hz / 700.0));

    private static float[] MakeWindow(FbankWindowType type, int n)
    {
        var w = new float[n];
        double a = 2.0 * Math.PI / (n - 1);
        for (int i = 0; i < n; i++)
        {
            double hann = 0.5 - (0.5 * Math.Cos(a * i));
            w[i] = type switch
            {
                FbankWindowType.Povey => (float)Math.Pow(hann, 0.85),
                FbankWindowType.Hanning => (float)hann,
                FbankWindowType.Hamming => (float)(0.54 - (0.46 * Math.Cos(a * i))),
                _ => 1f,
            };
        }
        return w;
    }

    private static (int[] Start, float[][] Weights) MakeMelFilters(KaldiFbankOptions o, int paddedLength)
    {
        // Kaldi uses the bins below Nyquist only (padded/2 of them) and places the filters evenly on the mel axis.
        int fftBins = paddedLength / 2;
        double nyquist = o.SampleRateHz / 2.0;
        double highHz = o.HighFreqHz > 0 ? o.HighFreqHz : nyquist + o.HighFreqHz;
        double binWidthHz = (double)o.SampleRateHz / paddedLength;
        double melLow = Mel(o.LowFreqHz);
        double melHigh = Mel(highHz);
        double melDelta = (melHigh - melLow) / (o.MelBins + 1);

        var starts = new int[o.MelBins];
        var weights = new float[o.MelBins][];
        var scratch = new float[fftBins];
        for (int m = 0; m < o.MelBins; m++)
        {
            double left = melLow + (m * melDelta);
            double center = left + melDelta;
            double right = center + melDelta;
            int first = -1;
            int last = -1;
            for (int k = 0; k < fftBins; k++)
            {
                double mel = Mel(binWidthHz * k);
                if (mel > left && mel < right)
                {
                    scratch[k] = (float)(mel <= center ? (mel - left) / (center - left) : (right - mel) / (right - center));
                    if (first < 0)
                    {
                        first = k;
                    }
                    last = k;
                }
            }
            if (first < 0)
            {
                // A filter narrower than one FFT bin (too many bins for the FFT size): it sees no energy, as in Kaldi.
                starts[m] = 0;
                weights[m] = [];
                continue;
            }
            starts[m] = first;
            weights[m] = scratch.AsSpan(first, last - first + 1).ToArray();
        }
        return (starts, weights);
    }

    private static float Gaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() keeps the log argument in (0, 1].
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
