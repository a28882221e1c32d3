// Offline speech detection from 300-3400 Hz band energy: smoothing, percentile floor/peak, hysteresis, gap fill, island removal.
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Speech;

/// <summary>
/// The research pipeline's SAD (research/sad.py), ported step for step. Frame energies come from the shared
/// featurizer (power spectrum, periodic Hamming, raw signal, frames starting at sample 0), so the FFT code is the
/// featurizer's. Stateless between calls and safe to share across threads.
/// </summary>
public sealed class EnergySpeechDetector : ISpeechDetector
{
    private readonly FeaturizerOptions spectrumOptions;
    private readonly int bandFirstBin;
    private readonly int bandEndBin;

    public EnergySpeechDetector(EnergySpeechDetectorOptions? options = null)
    {
        Options = (options ?? new EnergySpeechDetectorOptions()).Validate();
        spectrumOptions = new FeaturizerOptions
        {
            SampleRateHz = Options.SampleRateHz,
            FrameMs = Options.FrameMs,
            StrideMs = Options.HopMs,
            Nfft = Options.FftSize,
            FeatureType = FeatureType.Spectrogram,
            Window = WindowType.Hamming,
            CenterFrames = false,
            PreEmphasis = 0,
            DitherAmount = 0,
            NormalizeSignalPeak = false,
            NormalizePerFeature = FeatureNormalization.None,
        }.Validate();

        // Bin k is at k * rate / Nfft Hz; the band keeps low <= f < high.
        bandFirstBin = -1;
        bandEndBin = 0;
        for (int k = 0; k <= Options.FftSize / 2; k++)
        {
            double f = (double)k * Options.SampleRateHz / Options.FftSize;
            if (f >= Options.BandLowHz && f < Options.BandHighHz)
            {
                if (bandFirstBin < 0)
                {
                    bandFirstBin = k;
                }
                bandEndBin = k + 1;
            }
        }
        bandFirstBin = Math.Max(bandFirstBin, 0);
    }

    public EnergySpeechDetectorOptions Options { get; }

    public int SampleRateHz => Options.SampleRateHz;

    public double FrameHopSeconds => Options.HopSeconds;

    public SpeechMask Detect(ReadOnlySpan<float> samples)
    {
        var energyDb = BandEnergyDb(samples);
        return new SpeechMask(Decide(energyDb, Options), Options.HopSeconds);
    }

    /// <summary>Per-frame band energy, 10 log10(sum of |X|^2 over the band + PowerFloor) dB.</summary>
    public double[] BandEnergyDb(ReadOnlySpan<float> samples)
    {
        var energies = new double[spectrumOptions.FrameCount(samples.Length)];
        var sink = new BandEnergySink(energies, bandFirstBin, bandEndBin, Options.PowerFloor);
        var featurizer = new StreamingFeaturizer(spectrumOptions);
        featurizer.Push(samples, sink);
        featurizer.Flush(sink);
        return energies;
    }

    /// <summary>The decision on given frame energies (dB): the pure part of the detector, exposed for tests and comparison.</summary>
    public static bool[] Decide(ReadOnlySpan<double> energyDb, EnergySpeechDetectorOptions options)
    {
        int n = energyDb.Length;
        var mask = new bool[n];
        if (n == 0)
        {
            return mask;
        }
        var smooth = MovingAverage(energyDb, options.SmoothingFrames);
        var sorted = (double[])smooth.Clone();
        Array.Sort(sorted);
        double floor = Percentile(sorted, options.FloorPercentile);
        double peak = Percentile(sorted, options.PeakPercentile);
        double range = peak - floor;
        double high = Math.Max(floor + Math.Max(options.MinHighAboveFloorDb, options.HighThresholdFraction * range), peak - options.MaxHighBelowPeakDb);
        double low = floor + Math.Max(options.MinLowAboveFloorDb, options.LowThresholdFraction * range);

        var regions = PostProcess(Hysteresis(smooth, low, high), options.HopSeconds, options.GapFillSeconds, options.MinIslandSeconds);

        // As the research does (sad.py), a frame is speech when its centre, i * hop + frame / 2, lies in a region
        // whose ends are frame starts. That places the mask about one hop before the energy that triggered it; kept
        // so the figures match the research's (docs/ACCURACY.md).
        double hop = options.HopSeconds;
        double centre = options.FrameSamples / 2.0 / options.SampleRateHz;
        int r = 0;
        for (int i = 0; i < n && r < regions.Count; i++)
        {
            double t = i * hop + centre;
            while (r < regions.Count && t >= regions[r].End)
            {
                r++;
            }
            mask[i] = r < regions.Count && t >= regions[r].Start;
        }
        return mask;
    }

    /// <summary>Centred moving average of odd length <paramref name="length"/>; at the edges, the mean of the frames that exist.</summary>
    public static double[] MovingAverage(ReadOnlySpan<double> values, int length)
    {
        int n = values.Length;
        var result = new double[n];
        int half = length / 2;
        for (int i = 0; i < n; i++)
        {
            int a = Math.Max(0, i - half);
            int b = Math.Min(n, i + half + 1);
            double sum = 0;
            for (int j = a; j < b; j++)
            {
                sum += values[j];
            }
            result[i] = sum / (b - a);
        }
        return result;
    }

    /// <summary>numpy.percentile's default (linear) on sorted values, with numpy's two-sided interpolation.</summary>
    public static double Percentile(ReadOnlySpan<double> sorted, double percent)
    {
        double position = percent / 100.0 * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double t = position - below;
        double a = sorted[below], b = sorted[above];
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    /// <summary>Runs of frames at or above <paramref name="low"/> that hold at least one frame at or above <paramref name="high"/>, as [start, end) frame ranges.</summary>
    private static List<(int Start, int End)> Hysteresis(double[] v, double low, double high)
    {
        var runs = new List<(int, int)>();
        int i = 0;
        while (i < v.Length)
        {
            if (v[i] < low)
            {
                i++;
                continue;
            }
            int j = i;
            bool seeded = false;
            while (j < v.Length && v[j] >= low)
            {
                seeded |= v[j] >= high;
                j++;
            }
            if (seeded)
            {
                runs.Add((i, j));
            }
            i = j;
        }
        return runs;
    }

    /// <summary>Fills gaps shorter than the gap, then drops regions shorter than the island, in seconds as the research computes them.</summary>
    private static List<(double Start, double End)> PostProcess(List<(int Start, int End)> runs, double hop, double gap, double minIsland)
    {
        var joined = new List<(double Start, double End)>();
        foreach (var (a, b) in runs)
        {
            double s = a * hop, e = b * hop;
            if (joined.Count > 0 && s - joined[^1].End < gap)
            {
                joined[^1] = (joined[^1].Start, e);
            }
            else
            {
                joined.Add((s, e));
            }
        }
        joined.RemoveAll(r => r.End - r.Start < minIsland);
        return joined;
    }

    private sealed class BandEnergySink(double[] energies, int firstBin, int endBin, double powerFloor) : IFrameSink
    {
        public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
        {
            double sum = 0;
            for (int k = firstBin; k < endBin; k++)
            {
                sum += features[k];
            }
            energies[frameIndex] = 10 * Math.Log10(sum + powerFloor);
        }
    }
}
