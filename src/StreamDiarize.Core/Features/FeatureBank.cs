// The read-only tables of one featurizer configuration (window, FFT twiddles, Slaney mel bank, DCT), built once and shared.
using System.Collections.Concurrent;

namespace StreamDiarize.Core.Features;

/// <summary>
/// Immutable, thread-safe tables for one set of framing/spectrum options. Every session with the same options
/// shares one instance through <see cref="For"/>, so thousands of streams cost one mel bank.
/// </summary>
public sealed class FeatureBank
{
    private static readonly ConcurrentDictionary<Key, FeatureBank> Cache = new();

    private readonly double[] window;
    private readonly double[] twiddleRe;
    private readonly double[] twiddleIm;
    private readonly int[] melStart;
    private readonly double[][] melWeights;
    private readonly double[] dct;

    private FeatureBank(Key key)
    {
        SampleRateHz = key.SampleRateHz;
        FrameSamples = key.FrameSamples;
        FftSize = key.FftSize;
        NumMels = key.NumMels;
        FeatureType = key.FeatureType;
        MfccCount = key.MfccCount;
        WindowType = key.WindowType;
        window = BuildWindow(FrameSamples, FftSize, WindowType);
        (twiddleRe, twiddleIm) = BuildTwiddles(FftSize);
        MelMaxHz = key.MelMaxHz > 0 ? key.MelMaxHz : SampleRateHz / 2.0;
        (melStart, melWeights) = BuildSlaneyMel(SampleRateHz, FftSize, NumMels, MelMaxHz);
        dct = FeatureType == FeatureType.Mfcc ? BuildOrthoDct(MfccCount, NumMels) : [];
    }

    public int SampleRateHz { get; }

    /// <summary>The upper edge of the mel filters (Hz): the Nyquist frequency unless <see cref="FeaturizerOptions.MelMaxHz"/> lowers it.</summary>
    public double MelMaxHz { get; }

    public int FrameSamples { get; }

    public int FftSize { get; }

    public int NumMels { get; }

    public FeatureType FeatureType { get; }

    public int MfccCount { get; }

    public WindowType WindowType { get; }

    /// <summary>Number of power-spectrum bins, Nfft/2 + 1.</summary>
    public int SpectrumBins => FftSize / 2 + 1;

    public int Dims => FeatureType switch
    {
        FeatureType.Spectrogram => SpectrumBins,
        FeatureType.Mfcc => MfccCount,
        _ => NumMels,
    };

    /// <summary>Periodic Hann or Hamming of the frame length, zero-padded centred to Nfft points (librosa's pad_center).</summary>
    public ReadOnlySpan<double> Window => window;

    /// <summary>exp(-2 pi i k / Nfft) for k = 0..Nfft/2, used to split a half-size complex FFT into a real one.</summary>
    internal ReadOnlySpan<double> TwiddleRe => twiddleRe;

    internal ReadOnlySpan<double> TwiddleIm => twiddleIm;

    /// <summary>First spectrum bin of mel filter <paramref name="band"/>.</summary>
    public int MelStartBin(int band) => melStart[band];

    /// <summary>The nonzero weights of mel filter <paramref name="band"/>, starting at <see cref="MelStartBin"/>.</summary>
    public ReadOnlySpan<double> MelWeights(int band) => melWeights[band];

    /// <summary>Orthonormal DCT-II rows (MfccCount x NumMels, row-major); empty unless the feature type is MFCC.</summary>
    public ReadOnlySpan<double> Dct => dct;

    /// <summary>The shared bank for these options (built on first use). The cache is unbounded: it expects few distinct configurations.</summary>
    public static FeatureBank For(FeaturizerOptions options)
    {
        options.Validate();
        var key = new Key(options.SampleRateHz, options.FrameSamples, options.FftSize, options.NumFeatureBins,
            options.FeatureType, options.FeatureType == FeatureType.Mfcc ? options.MfccCount : 0, options.Window, options.MelMaxHz ?? 0);
        return Cache.GetOrAdd(key, static k => new FeatureBank(k));
    }

    /// <summary>Slaney mel scale (librosa htk=False): linear below 1 kHz (200/3 Hz per mel), logarithmic above.</summary>
    public static double HzToMel(double hz)
    {
        const double fSp = 200.0 / 3;
        const double minLogHz = 1000.0;
        const double minLogMel = minLogHz / fSp;
        double logStep = Math.Log(6.4) / 27.0;
        return hz >= minLogHz ? minLogMel + Math.Log(hz / minLogHz) / logStep : hz / fSp;
    }

    /// <summary>Inverse of <see cref="HzToMel"/>.</summary>
    public static double MelToHz(double mel)
    {
        const double fSp = 200.0 / 3;
        const double minLogHz = 1000.0;
        const double minLogMel = minLogHz / fSp;
        double logStep = Math.Log(6.4) / 27.0;
        return mel >= minLogMel ? minLogHz * Math.Exp(logStep * (mel - minLogMel)) : fSp * mel;
    }

    private static double[] BuildWindow(int frameSamples, int fftSize, WindowType type)
    {
        // Periodic ("fftbins=True") window, as librosa asks scipy for, then centred in the FFT frame. Where the
        // frame sits inside the Nfft points is a circular shift, so it changes phases only, never the power.
        (double a, double b) = type == WindowType.Hamming ? (0.54, 0.46) : (0.5, 0.5);
        var w = new double[fftSize];
        int left = (fftSize - frameSamples) / 2;
        for (int i = 0; i < frameSamples; i++)
        {
            w[left + i] = a - b * Math.Cos(2 * Math.PI * i / frameSamples);
        }
        return w;
    }

    private static (double[] Re, double[] Im) BuildTwiddles(int fftSize)
    {
        int half = fftSize / 2;
        var re = new double[half + 1];
        var im = new double[half + 1];
        for (int k = 0; k <= half; k++)
        {
            double a = -2 * Math.PI * k / fftSize;
            re[k] = Math.Cos(a);
            im[k] = Math.Sin(a);
        }
        return (re, im);
    }

    private static (int[] Start, double[][] Weights) BuildSlaneyMel(int sampleRateHz, int fftSize, int numMels, double maxHz)
    {
        // librosa.filters.mel defaults: fmin 0, fmax sr/2 (here maxHz), htk=False, norm='slaney' (each triangle scaled to unit area in Hz).
        int bins = fftSize / 2 + 1;
        double maxMel = HzToMel(maxHz);
        var edges = new double[numMels + 2];
        for (int i = 0; i < edges.Length; i++)
        {
            edges[i] = MelToHz(maxMel * i / (numMels + 1));
        }
        var starts = new int[numMels];
        var weights = new double[numMels][];
        var row = new double[bins];
        for (int m = 0; m < numMels; m++)
        {
            double lowerWidth = edges[m + 1] - edges[m];
            double upperWidth = edges[m + 2] - edges[m + 1];
            double enorm = 2.0 / (edges[m + 2] - edges[m]);
            int first = -1, last = -1;
            for (int k = 0; k < bins; k++)
            {
                double f = (double)k * sampleRateHz / fftSize;
                double rising = (f - edges[m]) / lowerWidth;
                double falling = (edges[m + 2] - f) / upperWidth;
                double w = Math.Max(0.0, Math.Min(rising, falling)) * enorm;
                row[k] = w;
                if (w > 0)
                {
                    if (first < 0)
                    {
                        first = k;
                    }
                    last = k;
                }
            }
            // A band narrower than one bin has no weights (librosa warns about empty filters); it yields log(LogFloor).
            starts[m] = Math.Max(first, 0);
            weights[m] = first < 0 ? [] : row.AsSpan(first, last - first + 1).ToArray();
        }
        return (starts, weights);
    }

    private static double[] BuildOrthoDct(int count, int n)
    {
        // scipy.fftpack.dct(type=2, norm='ortho'): sqrt(1/n) for k = 0, sqrt(2/n) otherwise.
        var d = new double[count * n];
        for (int k = 0; k < count; k++)
        {
            double scale = k == 0 ? Math.Sqrt(1.0 / n) : Math.Sqrt(2.0 / n);
            for (int i = 0; i < n; i++)
            {
                d[k * n + i] = scale * Math.Cos(Math.PI * k * (2 * i + 1) / (2.0 * n));
            }
        }
        return d;
    }

    private readonly record struct Key(int SampleRateHz, int FrameSamples, int FftSize, int NumMels, FeatureType FeatureType, int MfccCount, WindowType WindowType, double MelMaxHz);
}
