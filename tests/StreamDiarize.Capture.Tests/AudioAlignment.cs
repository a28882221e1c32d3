// Finds where a reference recording sits inside a capture (FFT cross-correlation) and how alike the two are there.
using System.Numerics;
using MathNet.Numerics.IntegralTransforms;
using StreamDiarize.Core.Audio;

namespace StreamDiarize.Capture.Tests;

/// <summary>The capture delayed by <see cref="LagSamples"/>, its normalised correlation with the reference, and the aligned part.</summary>
internal sealed record AlignmentResult(int LagSamples, double NormalizedCorrelation, AudioClip Aligned);

internal static class AudioAlignment
{
    /// <summary>
    /// Normalised correlation of each <paramref name="windowSeconds"/> window of the reference with the capture, each at
    /// its own best lag near <paramref name="globalLagSamples"/>. A player that underruns under CPU load skips or
    /// inserts tens of milliseconds, which ruins one global lag but leaves every window matching.
    /// </summary>
    public static double[] WindowCorrelations(AudioClip reference, AudioClip captured, int globalLagSamples, double windowSeconds = 1, double slackSeconds = 0.5)
    {
        int window = (int)(windowSeconds * reference.SampleRateHz);
        int slack = (int)(slackSeconds * reference.SampleRateHz);
        var result = new List<double>();
        for (int w = 0; w + window <= reference.Samples.Length; w += window)
        {
            int from = Math.Max(0, w + globalLagSamples - slack);
            int length = Math.Min(captured.Samples.Length - from, window + 2 * slack);
            if (length < window)
            {
                result.Add(0);
                continue;
            }
            var part = new AudioClip("ref", reference.Samples.AsSpan(w, window).ToArray(), reference.SampleRateHz);
            var region = new AudioClip("cap", captured.Samples.AsSpan(from, length).ToArray(), captured.SampleRateHz);
            result.Add(Align(part, region, 2 * slackSeconds).NormalizedCorrelation);
        }
        return result.ToArray();
    }

    /// <summary>
    /// The lag L (capture later than reference, 0..maxLag) maximising sum ref[n] cap[n+L], normalised by both
    /// signals' energies over the overlap; <see cref="AlignmentResult.Aligned"/> is the capture cut to the reference.
    /// </summary>
    public static AlignmentResult Align(AudioClip reference, AudioClip captured, double maxLagSeconds = 5)
    {
        var r = reference.Samples;
        var c = captured.Samples;
        int size = 1;
        while (size < r.Length + c.Length)
        {
            size <<= 1;
        }
        var fr = new Complex[size];
        var fc = new Complex[size];
        for (int i = 0; i < r.Length; i++)
        {
            fr[i] = r[i];
        }
        for (int i = 0; i < c.Length; i++)
        {
            fc[i] = c[i];
        }
        Fourier.Forward(fr, FourierOptions.Matlab);
        Fourier.Forward(fc, FourierOptions.Matlab);
        for (int i = 0; i < size; i++)
        {
            fc[i] *= Complex.Conjugate(fr[i]);
        }
        Fourier.Inverse(fc, FourierOptions.Matlab);
        int maxLag = Math.Min(c.Length - 1, (int)(maxLagSeconds * captured.SampleRateHz));
        int best = 0;
        for (int lag = 1; lag <= maxLag; lag++)
        {
            if (fc[lag].Real > fc[best].Real)
            {
                best = lag;
            }
        }
        int overlap = Math.Min(r.Length, c.Length - best);
        double er = 0, ec = 0;
        for (int i = 0; i < overlap; i++)
        {
            er += (double)r[i] * r[i];
            ec += (double)c[best + i] * c[best + i];
        }
        double ncc = er > 0 && ec > 0 ? fc[best].Real / Math.Sqrt(er * ec) : 0;
        var aligned = new AudioClip(captured.Id, c.AsSpan(best, overlap).ToArray(), captured.SampleRateHz);
        return new AlignmentResult(best, ncc, aligned);
    }
}
