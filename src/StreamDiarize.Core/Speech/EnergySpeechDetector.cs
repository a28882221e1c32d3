// Offline speech detection from 300-3400 Hz band energy: smoothing, percentile floor/peak, hysteresis, gap fill,
// island removal, then a segment voicing gate (research round 2).
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Speech;

/// <summary>
/// The research pipeline's SAD (research/round1/sad.py with research/round2/pipeline2.py's voicing gate), ported step for step. Frame energies come from the shared
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

    /// <summary>The power spectrum the band energy is read from (a streaming analyzer runs its own featurizer on it).</summary>
    public FeaturizerOptions SpectrumOptions => spectrumOptions;

    /// <summary>10 log10(sum of the band's bins of <paramref name="powerSpectrum"/> + PowerFloor) dB.</summary>
    public double BandEnergyOfSpectrum(ReadOnlySpan<float> powerSpectrum) => BandEnergy(powerSpectrum, bandFirstBin, bandEndBin, Options.PowerFloor);

    private static double BandEnergy(ReadOnlySpan<float> powerSpectrum, int firstBin, int endBin, double powerFloor)
    {
        double sum = 0;
        for (int k = firstBin; k < endBin; k++)
        {
            sum += powerSpectrum[k];
        }
        return 10 * Math.Log10(sum + powerFloor);
    }

    public int SampleRateHz => Options.SampleRateHz;

    public double FrameHopSeconds => Options.HopSeconds;

    public SpeechMask Detect(ReadOnlySpan<float> samples)
    {
        var energyDb = BandEnergyDb(samples);
        // The gate is the last step and reads voicing only inside the regions it judges, so decide without it first,
        // then compute voicing (the costliest cue) for those frames alone: the same mask as Decide(energy, voicing).
        var mask = Decide(energyDb, [], Options with { VoicingGate = false }, out var pauses);
        if (Options.VoicingGate)
        {
            // The peak lags come at no extra cost; the embedding's pitch statistics read them from the mask.
            var lags = new int[energyDb.Length];
            // Voicing is most of the cost on a long recording: split it over the cores (the same values).
            var voicing = VoicingEstimator.ComputeAllParallel(Options.Voicing, samples, energyDb.Length, mask, lags, Environment.ProcessorCount);
            ApplyVoicingGate(mask, voicing, Options.VoicingThreshold, Options.MinVoicedFraction);
            for (int i = 0; i < pauses.Length; i++)
            {
                pauses[i] &= mask[i];
            }
            return new SpeechMask(mask, Options.HopSeconds) { IsPause = pauses, IsDigitalSilence = DigitalSilence(energyDb), Voicing = voicing, PitchLags = lags };
        }
        return new SpeechMask(mask, Options.HopSeconds) { IsPause = pauses, IsDigitalSilence = DigitalSilence(energyDb) };
    }

    /// <summary>The frames whose band energy is digital silence by the detector's own rule (none when the rules are off).</summary>
    private bool[] DigitalSilence(double[] energyDb)
    {
        var silent = new bool[energyDb.Length];
        for (int i = 0; i < silent.Length; i++)
        {
            silent[i] = energyDb[i] <= Options.SilenceRulesDb;
        }
        return silent;
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

    /// <summary>Per-frame voicing of the gate, aligned with <see cref="BandEnergyDb"/>'s frames (a fresh estimator, so thread-safe).</summary>
    public double[] Voicing(ReadOnlySpan<float> samples, int frames) =>
        new VoicingEstimator(Options.Voicing).ComputeAll(samples, frames);

    /// <summary>
    /// The decision on given frame energies (dB) without the voicing gate, whatever <see cref="EnergySpeechDetectorOptions.VoicingGate"/>
    /// says (there is no cue to gate on). Kept for comparisons with the round-1 research.
    /// </summary>
    public static bool[] Decide(ReadOnlySpan<double> energyDb, EnergySpeechDetectorOptions options) =>
        Decide(energyDb, [], options with { VoicingGate = false });

    /// <summary>
    /// The decision on given frame energies (dB) and voicing (one per frame; may be empty when the gate is off):
    /// the pure part of the detector, exposed for tests and comparison.
    /// </summary>
    public static bool[] Decide(ReadOnlySpan<double> energyDb, ReadOnlySpan<double> voicing, EnergySpeechDetectorOptions options) =>
        Decide(energyDb, voicing, options, out _);

    /// <summary>
    /// As <see cref="Decide(ReadOnlySpan{double}, ReadOnlySpan{double}, EnergySpeechDetectorOptions)"/>, also giving
    /// the speech frames that are bridged pauses (<see cref="SpeechMask.IsPause"/>): speech in the mask but not in the
    /// hysteresis output bridged only across gaps shorter than <see cref="EnergySpeechDetectorOptions.PauseSeconds"/>.
    /// </summary>
    public static bool[] Decide(ReadOnlySpan<double> energyDb, ReadOnlySpan<double> voicing, EnergySpeechDetectorOptions options, out bool[] pauses)
    {
        int n = energyDb.Length;
        var mask = new bool[n];
        pauses = new bool[n];
        if (n == 0)
        {
            return mask;
        }
        var smooth = MovingAverage(energyDb, options.SmoothingFrames, options.SilenceRulesDb);
        var sorted = (double[])smooth.Clone();
        Array.Sort(sorted);
        // Digital silence (a muted microphone, a client sending zeros) counts as the quietest sound the recording
        // otherwise holds (its 1st percentile), so its -100 dB never becomes the room's floor.
        int silent = 0;
        while (silent < sorted.Length && sorted[silent] <= options.SilenceRulesDb)
        {
            silent++;
        }
        if (silent == sorted.Length)
        {
            return mask;
        }
        sorted.AsSpan(0, silent).Fill(sorted[silent + EnergySpeechDetectorOptions.SilenceStandInRank(sorted.Length - silent)]);
        double floor = Percentile(sorted, options.FloorPercentile);
        double peak = Percentile(sorted, options.PeakPercentile);
        double range = peak - floor;
        var (high, low) = options.Thresholds(floor, range, peak);
        Hysteresis(smooth, low, high, mask);
        var tight = (bool[])mask.Clone();
        PostProcess(mask, voicing, options);
        if (options.PauseSeconds < options.GapFillSeconds)
        {
            // The same steps with only the short gaps bridged (and nothing dropped) place every region exactly as the
            // mask does, so what the mask has beyond them is the longer pauses it filled.
            PostProcess(tight, [], options with { GapFillSeconds = options.PauseSeconds, MinIslandSeconds = 0, VoicingGate = false });
            for (int i = 0; i < n; i++)
            {
                pauses[i] = mask[i] && !tight[i];
            }
        }
        // Digital silence bridged into speech (a gap between words of a gated or synthetic voice) is a pause however
        // short: it is part of the turn, but its features (the power floor's) describe no voice.
        if (silent > 0 && options.DigitalSilencePauses)
        {
            for (int i = 0; i < n; i++)
            {
                pauses[i] |= mask[i] && smooth[i] <= options.SilenceRulesDb;
            }
        }
        return mask;
    }

    /// <summary>
    /// The segment-level steps after hysteresis, in place on a frame mask: fill gaps shorter than GapFillSeconds,
    /// drop regions shorter than MinIslandSeconds, move each region to the frames whose centres it covers (below), and
    /// with <see cref="EnergySpeechDetectorOptions.VoicingGate"/> drop regions with too few voiced frames.
    /// Allocates nothing, so a streaming detector can run it on a bounded buffer; regions touching the buffer's ends
    /// are treated as complete, so the caller decides how much context to hold.
    /// </summary>
    /// <param name="mask">Hysteresis output on entry, the speech mask on return.</param>
    /// <param name="voicing">Voicing of the same frames (at least mask.Length values); ignored, and may be empty, when the gate is off.</param>
    /// <param name="firstFrame">
    /// The stream's index of mask[0]: the rules compare seconds computed from stream indices, so a buffer that starts
    /// mid-stream rounds ties exactly as the whole stream does.
    /// </param>
    public static void PostProcess(Span<bool> mask, ReadOnlySpan<double> voicing, EnergySpeechDetectorOptions options, long firstFrame = 0)
    {
        if (options.VoicingGate && voicing.Length < mask.Length)
        {
            throw new ArgumentException($"The voicing gate needs one voicing value per frame: {mask.Length} frames, {voicing.Length} values.", nameof(voicing));
        }
        double hop = options.HopSeconds;

        // Gap filling and island removal compare seconds computed as the research does (frame * hop), so ties at
        // exactly the gap or island length round the same way.
        int previousEnd = -1;
        for (int i = NextRun(mask, 0, out int end); i >= 0; i = NextRun(mask, end, out end))
        {
            if (previousEnd >= 0 && (firstFrame + i) * hop - (firstFrame + previousEnd) * hop < options.GapFillSeconds)
            {
                mask[previousEnd..i].Fill(true);
            }
            previousEnd = end;
        }
        for (int i = NextRun(mask, 0, out int end); i >= 0; i = NextRun(mask, end, out end))
        {
            if ((firstFrame + end) * hop - (firstFrame + i) * hop < options.MinIslandSeconds)
            {
                mask[i..end].Clear();
            }
        }

        // As the research does (research/round1/sad.py), a frame is speech when its centre, i * hop + frame / 2, lies in a region
        // whose ends are frame starts. That places the mask about one hop before the energy that triggered it; kept
        // so the figures match the research's (docs/ACCURACY.md). Each region only moves earlier, so a forward scan
        // never meets its own output.
        double centre = options.FrameSamples / 2.0 / options.SampleRateHz;
        int reach = (int)Math.Ceiling(centre / hop) + 1;
        for (int a = NextRun(mask, 0, out int b); a >= 0; a = NextRun(mask, b, out b))
        {
            double start = (firstFrame + a) * hop, stop = (firstFrame + b) * hop;
            mask[a..b].Clear();
            for (int i = Math.Max(0, a - reach); i < b; i++)
            {
                double t = (firstFrame + i) * hop + centre;
                if (t >= start && t < stop)
                {
                    mask[i] = true;
                }
            }
        }

        if (options.VoicingGate)
        {
            ApplyVoicingGate(mask, voicing, options.VoicingThreshold, options.MinVoicedFraction);
        }
    }

    /// <summary>
    /// In place: clears every run of speech frames in which fewer than <paramref name="minVoicedFraction"/> of the
    /// frames have voicing above <paramref name="threshold"/>. Allocates nothing.
    /// </summary>
    public static void ApplyVoicingGate(Span<bool> mask, ReadOnlySpan<double> voicing, double threshold, double minVoicedFraction)
    {
        for (int a = NextRun(mask, 0, out int b); a >= 0; a = NextRun(mask, b, out b))
        {
            int voiced = 0;
            for (int i = a; i < b; i++)
            {
                voiced += voicing[i] > threshold ? 1 : 0;
            }
            if ((double)voiced / (b - a) < minVoicedFraction)
            {
                mask[a..b].Clear();
            }
        }
    }

    /// <summary>Centred moving average of odd length <paramref name="length"/>; at the edges, the mean of the frames that exist.</summary>
    public static double[] MovingAverage(ReadOnlySpan<double> values, int length) => MovingAverage(values, length, double.NegativeInfinity);

    /// <summary>
    /// As <see cref="MovingAverage(ReadOnlySpan{double}, int)"/>, but values at or below <paramref name="silence"/>
    /// (digital silence) are left as they are and kept out of their neighbours' averages.
    /// </summary>
    public static double[] MovingAverage(ReadOnlySpan<double> values, int length, double silence)
    {
        int n = values.Length;
        var result = new double[n];
        int half = length / 2;
        for (int i = 0; i < n; i++)
        {
            if (values[i] <= silence)
            {
                result[i] = values[i];
                continue;
            }
            int a = Math.Max(0, i - half);
            int b = Math.Min(n, i + half + 1);
            double sum = 0;
            int count = 0;
            for (int j = a; j < b; j++)
            {
                if (values[j] > silence)
                {
                    sum += values[j];
                    count++;
                }
            }
            result[i] = sum / count;
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

    /// <summary>Marks the runs of frames at or above <paramref name="low"/> that hold at least one frame at or above <paramref name="high"/>.</summary>
    private static void Hysteresis(double[] v, double low, double high, Span<bool> mask)
    {
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
                mask[i..j].Fill(true);
            }
            i = j;
        }
    }

    /// <summary>Start of the first run of true at or after <paramref name="from"/> (and its exclusive end), or -1.</summary>
    private static int NextRun(ReadOnlySpan<bool> mask, int from, out int end)
    {
        int a = from;
        while (a < mask.Length && !mask[a])
        {
            a++;
        }
        if (a == mask.Length)
        {
            end = a;
            return -1;
        }
        end = a;
        while (end < mask.Length && mask[end])
        {
            end++;
        }
        return a;
    }

    private sealed class BandEnergySink(double[] energies, int firstBin, int endBin, double powerFloor) : IFrameSink
    {
        public void OnFrame(long frameIndex, ReadOnlySpan<float> features) =>
            energies[frameIndex] = BandEnergy(features, firstBin, endBin, powerFloor);
    }
}
