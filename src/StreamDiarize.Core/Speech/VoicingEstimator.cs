// Per-frame voicing cue: the peak of the taper-corrected normalised autocorrelation over pitch lags (research round 2, step 5).
using System.Numerics;
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Speech;

/// <summary>
/// Voicing of one frame: subtract the mean, apply a symmetric Hann window, take the autocorrelation r through an
/// FFT, normalise a[k] = (r[k] / (r[0] + 1e-12)) / (rw[k] / rw[0] + TaperEpsilon) with rw the window's own
/// autocorrelation, and return the maximum of a over MinLag..MaxLag. Near 1 for periodic (voiced) frames, low for
/// noise; may exceed 1 on quiet frames. Owns its scratch buffers: one instance serves one stream at a time, and
/// <see cref="Compute"/> allocates nothing.
/// </summary>
public sealed class VoicingEstimator
{
    /// <summary>Keeps r[k] / r[0] finite on digital silence; absolute, as in the research.</summary>
    private const double EnergyFloor = 1e-12;

    /// <summary>A sub-multiple of the peak lag whose normalised autocorrelation reaches this fraction of the peak is the period.</summary>
    private const double SubMultipleRatio = 0.85;

    private readonly double[] window;
    private readonly double[] taperCorrection;
    private readonly double[] twiddleRe;
    private readonly double[] twiddleIm;
    private readonly Complex[] packed;
    private readonly Radix2Fft fft;
    private readonly double[] power;
    private readonly float[] frameScratch;
    private readonly int fftSize;

    public VoicingEstimator(VoicingOptions? options = null)
    {
        Options = (options ?? new VoicingOptions()).Validate();
        int length = Options.FrameSamples;

        // The circular autocorrelation of size N is r[k] + r[N - k]; r vanishes beyond lag FrameSamples - 1, so
        // N >= FrameSamples + MaxLag keeps every lag read here exact. For 640 samples and lag 255 that is 1024, not
        // the 2048 the research used: same values to 1e-15, and the real FFT runs as a 512-point complex one, the
        // largest size MathNet transforms without going parallel (and allocating).
        fftSize = 2;
        while (fftSize < length + Options.MaxLag)
        {
            fftSize *= 2;
        }

        // numpy.hanning: symmetric, zero at both ends.
        window = new double[length];
        for (int n = 0; n < length; n++)
        {
            window[n] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * n / (length - 1));
        }

        // Dividing by the window's normalised autocorrelation undoes the taper's fall-off with lag.
        taperCorrection = new double[Options.MaxLag + 1];
        double rw0 = Lagged(window, 0);
        for (int k = 0; k <= Options.MaxLag; k++)
        {
            taperCorrection[k] = Lagged(window, k) / rw0 + Options.TaperEpsilon;
        }

        int half = fftSize / 2;
        twiddleRe = new double[half + 1];
        twiddleIm = new double[half + 1];
        for (int k = 0; k <= half; k++)
        {
            double a = -2 * Math.PI * k / fftSize;
            twiddleRe[k] = Math.Cos(a);
            twiddleIm[k] = Math.Sin(a);
        }
        packed = new Complex[half];
        fft = new Radix2Fft(half);
        power = new double[half + 1];
        frameScratch = new float[length];
    }

    public VoicingOptions Options { get; }

    public int FrameSamples => Options.FrameSamples;

    public int OffsetSamples => Options.OffsetSamples;

    /// <summary>Voicing of one frame of exactly <see cref="FrameSamples"/> samples. Allocates nothing.</summary>
    public double Compute(ReadOnlySpan<float> frame) => Compute(frame, out _);

    /// <summary>
    /// As <see cref="Compute(ReadOnlySpan{float})"/>, also giving the lag (samples) of the peak: the pitch period when the
    /// frame is voiced, so F0 = SampleRate / lag. Allocates nothing.
    /// </summary>
    public double Compute(ReadOnlySpan<float> frame, out int bestLag)
    {
        if (frame.Length != Options.FrameSamples)
        {
            throw new ArgumentException($"A voicing frame has {Options.FrameSamples} samples; got {frame.Length}.", nameof(frame));
        }
        double mean = 0;
        for (int n = 0; n < frame.Length; n++)
        {
            mean += frame[n];
        }
        mean /= frame.Length;

        // Pack the windowed, zero-padded frame for a real FFT of fftSize points: even samples real, odd imaginary.
        int half = packed.Length;
        for (int m = 0; m < half; m++)
        {
            packed[m] = new Complex(Windowed(frame, 2 * m, mean), Windowed(frame, 2 * m + 1, mean));
        }
        fft.Forward(packed);
        for (int k = 0; k <= half; k++)
        {
            var (re, im) = Unpack(k);
            power[k] = re * re + im * im;
        }

        // The power spectrum is real and even, so its inverse transform is its forward one divided by N: pack the
        // full even sequence P[m] (P[N - m] = P[m]) and transform again.
        for (int m = 0; m < half; m++)
        {
            packed[m] = new Complex(PowerAt(2 * m), PowerAt(2 * m + 1));
        }
        fft.Forward(packed);

        double r0 = Unpack(0).Re / fftSize + EnergyFloor;
        double best = double.NegativeInfinity;
        bestLag = Options.MinLag;
        for (int k = Options.MinLag; k <= Options.MaxLag; k++)
        {
            double a = Unpack(k).Re / fftSize / r0 / taperCorrection[k];
            if (a > best)
            {
                best = a;
                bestLag = k;
            }
        }

        // A periodic frame peaks as high at two or three periods as at one (the taper correction even favours longer
        // lags), so the raw argmax often halves F0. Prefer the shortest sub-multiple of the peak lag that comes close.
        for (int divisor = 3; divisor >= 2; divisor--)
        {
            int centre = (int)Math.Round((double)bestLag / divisor);
            for (int k = Math.Max(Options.MinLag, centre - 1); k <= Math.Min(Options.MaxLag, centre + 1); k++)
            {
                if (Unpack(k).Re / fftSize / r0 / taperCorrection[k] >= SubMultipleRatio * best)
                {
                    bestLag = k;
                    return best;
                }
            }
        }
        return best;
    }

    /// <summary>
    /// Voicing of frames 0..<paramref name="frames"/>-1 of a whole signal, frame i starting at HopSamples * i +
    /// OffsetSamples, with zeros outside the signal (as the research pads). Uses this instance's buffers.
    /// </summary>
    public double[] ComputeAll(ReadOnlySpan<float> samples, int frames) => ComputeAll(samples, frames, []);

    /// <summary>
    /// As <see cref="ComputeAll(ReadOnlySpan{float}, int)"/>, but only for frames where <paramref name="only"/> is true
    /// (others are 0); an empty <paramref name="only"/> means every frame. The gate reads voicing only inside speech
    /// regions, so the offline detector computes no more than that.
    /// </summary>
    public double[] ComputeAll(ReadOnlySpan<float> samples, int frames, ReadOnlySpan<bool> only) =>
        ComputeAll(samples, frames, only, []);

    /// <summary>
    /// As <see cref="ComputeAll(ReadOnlySpan{float}, int, ReadOnlySpan{bool})"/>, also writing each computed frame's peak
    /// lag into <paramref name="lags"/> (0 for frames not computed) unless it is empty; it must hold at least
    /// <paramref name="frames"/> values otherwise.
    /// </summary>
    public double[] ComputeAll(ReadOnlySpan<float> samples, int frames, ReadOnlySpan<bool> only, Span<int> lags)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        if (!lags.IsEmpty && lags.Length < frames)
        {
            throw new ArgumentException($"{frames} frames need {frames} lags; got room for {lags.Length}.", nameof(lags));
        }
        var result = new double[frames];
        ComputeRange(samples, 0, frames, only, lags, result);
        return result;
    }

    /// <summary>
    /// <see cref="ComputeAll(ReadOnlySpan{float}, int, ReadOnlySpan{bool}, Span{int})"/> split over
    /// <paramref name="parallelism"/> threads, each with its own estimator: the same values, for long recordings.
    /// </summary>
    public static unsafe double[] ComputeAllParallel(VoicingOptions options, ReadOnlySpan<float> samples, int frames, ReadOnlySpan<bool> only, Span<int> lags, int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        if (!lags.IsEmpty && lags.Length < frames)
        {
            throw new ArgumentException($"{frames} frames need {frames} lags; got room for {lags.Length}.", nameof(lags));
        }
        var result = new double[frames];
        int parts = Math.Clamp(parallelism, 1, Math.Max(1, frames / 1000));
        int sampleCount = samples.Length, onlyCount = only.Length, lagCount = lags.Length;
        // The spans stay pinned until every part has finished (Parallel.For returns only then).
        fixed (float* samplePtr = samples)
        fixed (bool* onlyPtr = only)
        fixed (int* lagPtr = lags)
        {
            nint s = (nint)samplePtr, o = (nint)onlyPtr, l = (nint)lagPtr;
            Parallel.For(0, parts, part =>
            {
                int from = (int)((long)frames * part / parts), to = (int)((long)frames * (part + 1) / parts);
                new VoicingEstimator(options).ComputeRange(
                    new ReadOnlySpan<float>((float*)s, sampleCount), from, to,
                    new ReadOnlySpan<bool>((bool*)o, onlyCount), new Span<int>((int*)l, lagCount), result);
            });
        }
        return result;
    }

    private void ComputeRange(ReadOnlySpan<float> samples, int from, int to, ReadOnlySpan<bool> only, Span<int> lags, double[] result)
    {
        var scratch = frameScratch.AsSpan();
        for (int i = from; i < to; i++)
        {
            if (!only.IsEmpty && (i >= only.Length || !only[i]))
            {
                continue;
            }
            long start = (long)Options.HopSamples * i + Options.OffsetSamples;
            long first = Math.Clamp(start, 0, samples.Length);
            long end = Math.Clamp(start + scratch.Length, 0, samples.Length);
            scratch.Clear();
            if (end > first)
            {
                samples.Slice((int)first, (int)(end - first)).CopyTo(scratch[(int)(first - start)..]);
            }
            result[i] = Compute(scratch, out int lag);
            if (!lags.IsEmpty)
            {
                lags[i] = lag;
            }
        }
    }

    private double Windowed(ReadOnlySpan<float> frame, int n, double mean) =>
        n < frame.Length ? (frame[n] - mean) * window[n] : 0;

    private double PowerAt(int m) => power[m <= fftSize / 2 ? m : fftSize - m];

    /// <summary>Bin k (0..N/2) of the real N-point FFT from the packed N/2-point complex one, as FrameProcessor does.</summary>
    private (double Re, double Im) Unpack(int k)
    {
        int half = packed.Length;
        Complex zk = packed[k == half ? 0 : k];
        Complex zc = packed[k == 0 ? 0 : half - k];
        // Even part E = (Z[k] + conj(Z[N/2-k])) / 2, odd part O = (Z[k] - conj(Z[N/2-k])) / 2i, X = E + W^k O.
        double eRe = 0.5 * (zk.Real + zc.Real);
        double eIm = 0.5 * (zk.Imaginary - zc.Imaginary);
        double oRe = 0.5 * (zk.Imaginary + zc.Imaginary);
        double oIm = -0.5 * (zk.Real - zc.Real);
        return (eRe + twiddleRe[k] * oRe - twiddleIm[k] * oIm, eIm + twiddleRe[k] * oIm + twiddleIm[k] * oRe);
    }

    private static double Lagged(double[] x, int lag)
    {
        double sum = 0;
        for (int n = 0; n + lag < x.Length; n++)
        {
            sum += x[n] * x[n + lag];
        }
        return sum;
    }
}
