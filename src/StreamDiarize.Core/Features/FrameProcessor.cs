// Turns one padded analysis frame into a feature vector; the single per-frame path shared by offline and streaming.
using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace StreamDiarize.Core.Features;

/// <summary>
/// Window, real FFT, power, then mel / log / DCT as the options ask. Owns its scratch buffers, so one
/// instance serves one stream at a time and allocates nothing per frame.
/// </summary>
internal sealed class FrameProcessor
{
    private readonly FeatureBank bank;
    private readonly double logFloor;
    private readonly Complex[] packed;
    private readonly double[] power;
    private readonly double[] logMel;

    public FrameProcessor(FeatureBank bank, double logFloor)
    {
        this.bank = bank;
        this.logFloor = logFloor;
        packed = new Complex[Math.Max(1, bank.FftSize / 2)];
        power = new double[bank.SpectrumBins];
        logMel = new double[bank.NumMels];
    }

    public int Dims => bank.Dims;

    /// <summary><paramref name="frame"/> holds Nfft conditioned samples of the centre-padded signal.</summary>
    public void Process(ReadOnlySpan<double> frame, Span<float> output)
    {
        PowerSpectrum(frame);
        switch (bank.FeatureType)
        {
            case FeatureType.Spectrogram:
                for (int k = 0; k < power.Length; k++)
                {
                    output[k] = (float)power[k];
                }
                break;
            case FeatureType.LogMelSpectrogram:
                LogMel();
                for (int m = 0; m < logMel.Length; m++)
                {
                    output[m] = (float)logMel[m];
                }
                break;
            default:
                LogMel();
                Mfcc(output);
                break;
        }
    }

    private void PowerSpectrum(ReadOnlySpan<double> frame)
    {
        // A real N-point FFT from an N/2-point complex one (even samples real, odd imaginary): half the work, and
        // MathNet's managed FFT allocates (goes parallel) above 512 points, so this keeps Nfft <= 1024 allocation-free.
        var w = bank.Window;
        int half = packed.Length;
        for (int n = 0; n < half; n++)
        {
            packed[n] = new Complex(frame[2 * n] * w[2 * n], frame[2 * n + 1] * w[2 * n + 1]);
        }
        Fourier.Forward(packed, FourierOptions.Matlab);

        var twRe = bank.TwiddleRe;
        var twIm = bank.TwiddleIm;
        for (int k = 0; k <= half; k++)
        {
            Complex zk = packed[k == half ? 0 : k];
            Complex zc = packed[k == 0 ? 0 : half - k];
            // Even part E = (Z[k] + conj(Z[N/2-k])) / 2, odd part O = (Z[k] - conj(Z[N/2-k])) / 2i, X = E + W^k O.
            double eRe = 0.5 * (zk.Real + zc.Real);
            double eIm = 0.5 * (zk.Imaginary - zc.Imaginary);
            double oRe = 0.5 * (zk.Imaginary + zc.Imaginary);
            double oIm = -0.5 * (zk.Real - zc.Real);
            double xRe = eRe + twRe[k] * oRe - twIm[k] * oIm;
            double xIm = eIm + twRe[k] * oIm + twIm[k] * oRe;
            power[k] = xRe * xRe + xIm * xIm;
        }
    }

    private void LogMel()
    {
        for (int m = 0; m < logMel.Length; m++)
        {
            var weights = bank.MelWeights(m);
            var bins = power.AsSpan(bank.MelStartBin(m), weights.Length);
            double sum = 0;
            for (int i = 0; i < weights.Length; i++)
            {
                sum += weights[i] * bins[i];
            }
            // Clamping rather than adding keeps loud bands exact and makes silence exactly log(LogFloor).
            logMel[m] = Math.Log(Math.Max(sum, logFloor));
        }
    }

    private void Mfcc(Span<float> output)
    {
        var dct = bank.Dct;
        int n = logMel.Length;
        for (int c = 0; c < bank.MfccCount; c++)
        {
            var row = dct.Slice(c * n, n);
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += row[i] * logMel[i];
            }
            output[c] = (float)sum;
        }
    }
}
