// Settings of the STT featurizer (the seed's STTFeaturizer): framing, spectrum type and its three conditioning steps.
using System.Numerics;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Features;

/// <summary>
/// Options of <see cref="SttFeaturizer"/> and <see cref="StreamingFeaturizer"/>. Defaults match the seed:
/// 16 kHz, 25 ms frames every 10 ms, 80 log-mel bands, peak-normalised, dithered, pre-emphasised and
/// normalised per band over the whole file.
/// </summary>
public sealed record FeaturizerOptions
{
    public int SampleRateHz { get; init; } = 16000;

    /// <summary>Analysis window length; in samples it is SampleRateHz * FrameMs / 1000, truncated (the seed's int()).</summary>
    public int FrameMs { get; init; } = 25;

    /// <summary>Hop between frames; in samples it is SampleRateHz * StrideMs / 1000, truncated.</summary>
    public int StrideMs { get; init; } = 10;

    /// <summary>FFT size, a power of two at least the frame length; null picks the smallest such power.</summary>
    public int? Nfft { get; init; }

    /// <summary>Number of mel bands (log-mel and MFCC). The spectrogram always has Nfft/2+1 bins.</summary>
    public int NumFeatureBins { get; init; } = 80;

    public FeatureType FeatureType { get; init; } = FeatureType.LogMelSpectrogram;

    /// <summary>Window applied to each frame. Hann is the seed's; the research diarizer's MFCCs and SAD use Hamming.</summary>
    public WindowType Window { get; init; } = WindowType.Hann;

    /// <summary>
    /// True (the seed's, librosa center=True): Nfft/2 zeros pad each end and frame t is centred on sample t * hop,
    /// giving 1 + L / hop frames. False: frame t covers samples [t * hop, t * hop + FrameSamples) with no padding,
    /// giving 1 + (L - FrameSamples) / hop whole frames (none when L &lt; FrameSamples), as the research pipeline frames.
    /// </summary>
    public bool CenterFrames { get; init; } = true;

    /// <summary>MFCC coefficients kept; null keeps NumFeatureBins.</summary>
    public int? NumMfcc { get; init; }

    /// <summary>
    /// The upper edge of the mel filters (Hz); null: the Nyquist frequency. Audio recorded at a lower rate than
    /// <see cref="SampleRateHz"/> has nothing above its own Nyquist frequency; filters there hold only the resampler's
    /// roll-off and the dither, and on 8 kHz recordings they cost the count (docs/ACCURACY.md, round 15).
    /// </summary>
    public double? MelMaxHz { get; init; }

    /// <summary>
    /// These options for audio recorded at <paramref name="sourceRateHz"/> and resampled to <see cref="SampleRateHz"/>:
    /// below it, the mel filters end at 97.5 % of the source's Nyquist frequency (8 kHz audio: 3,900 Hz), where
    /// resamplers roll off; otherwise (or unknown, or <see cref="MelMaxHz"/> already set) unchanged.
    /// </summary>
    public FeaturizerOptions ForSourceRate(int? sourceRateHz) =>
        sourceRateHz is { } rate && rate >= 2000 && rate < SampleRateHz && MelMaxHz is null
            ? this with { MelMaxHz = Math.Max(1000, 0.975 * rate / 2) }
            : this;

    /// <summary>Mel energies are clamped to at least this before the natural log, so silence gives log(LogFloor), not -inf.</summary>
    public double LogFloor { get; init; } = 1e-10;

    /// <summary>Scale the whole signal so its largest |sample| is 1 (silence is left alone). Needs the whole signal.</summary>
    public bool NormalizeSignalPeak { get; init; } = true;

    /// <summary>Standard deviation of the Gaussian noise added to each sample (after peak scaling); 0 disables.</summary>
    public double DitherAmount { get; init; } = 1e-5;

    /// <summary>Seed of the dither noise, drawn in sample order, so a file and its stream get the same noise.</summary>
    public int DitherSeed { get; init; } = 1234;

    /// <summary>y[n] = x[n] - PreEmphasis * x[n-1] with x[-1] = 0; 0 disables.</summary>
    public double PreEmphasis { get; init; } = 0.97;

    public FeatureNormalization NormalizePerFeature { get; init; } = FeatureNormalization.WholeFile;

    /// <summary>Added to the standard deviation in (x - mean) / (std + eps).</summary>
    public double NormalizationEpsilon { get; init; } = 1e-9;

    /// <summary>Time constant of <see cref="FeatureNormalization.Running"/>: cumulative stats up to this long, then EMA with this window.</summary>
    public double RunningNormalizationSeconds { get; init; } = 3.0;

    public int FrameSamples => (int)((long)SampleRateHz * FrameMs / 1000);

    public int HopSamples => (int)((long)SampleRateHz * StrideMs / 1000);

    /// <summary>The FFT size in use: <see cref="Nfft"/>, or the next power of two at least <see cref="FrameSamples"/>.</summary>
    public int FftSize => Nfft ?? (FrameSamples <= 1 ? 1 : (int)BitOperations.RoundUpToPowerOf2((uint)FrameSamples));

    public int MfccCount => NumMfcc ?? NumFeatureBins;

    /// <summary>Length of each feature vector.</summary>
    public int Dims => FeatureType switch
    {
        FeatureType.Spectrogram => FftSize / 2 + 1,
        FeatureType.Mfcc => MfccCount,
        _ => NumFeatureBins,
    };

    public double HopSeconds => (double)HopSamples / SampleRateHz;

    /// <summary>Time of frame 0's centre: 0 for centred frames, half a frame otherwise.</summary>
    public double FirstFrameCentreSeconds => CenterFrames ? 0 : FrameSamples / 2.0 / SampleRateHz;

    /// <summary>Frames a signal of <paramref name="samples"/> samples gives (see <see cref="CenterFrames"/>).</summary>
    public int FrameCount(long samples) => CenterFrames
        ? (int)(1 + samples / HopSamples)
        : samples < FrameSamples ? 0 : (int)(1 + (samples - FrameSamples) / HopSamples);

    public double FrameSeconds => (double)FrameSamples / SampleRateHz;

    /// <summary>Frames that <see cref="FeatureNormalization.Running"/> accumulates before it turns exponential.</summary>
    public int RunningNormalizationFrames => Math.Max(1, (int)Math.Round(RunningNormalizationSeconds / HopSeconds));

    /// <summary>True when every step can run on a stream as it arrives (no whole-signal peak, no whole-file stats).</summary>
    public bool IsCausal => !NormalizeSignalPeak && NormalizePerFeature != FeatureNormalization.WholeFile;

    /// <summary>The closest causal options: no peak normalisation, and running instead of whole-file normalisation.</summary>
    public FeaturizerOptions AsCausal() => this with
    {
        NormalizeSignalPeak = false,
        NormalizePerFeature = NormalizePerFeature == FeatureNormalization.WholeFile ? FeatureNormalization.Running : NormalizePerFeature,
    };

    /// <summary>Every problem with these options, each with the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (SampleRateHz is < 1000 or > 384000)
        {
            errors.Add($"SampleRateHz {SampleRateHz} is invalid: give the rate of the audio, 1000 to 384000.");
        }
        bool rateOk = SampleRateHz >= 1000;
        if (FrameMs <= 0 || FrameMs > 10000)
        {
            errors.Add($"FrameMs {FrameMs} is invalid: use 1 to 10000 ms (25 is usual).");
        }
        else if (rateOk && FrameSamples < 2)
        {
            errors.Add($"FrameMs {FrameMs} at {SampleRateHz} Hz gives {FrameSamples} samples: a frame needs at least 2 samples.");
        }
        if (StrideMs <= 0 || StrideMs > 10000)
        {
            errors.Add($"StrideMs {StrideMs} is invalid: use 1 to 10000 ms (10 is usual).");
        }
        else if (rateOk && HopSamples < 1)
        {
            errors.Add($"StrideMs {StrideMs} at {SampleRateHz} Hz gives 0 samples: the hop needs at least 1 sample.");
        }
        if (Nfft is { } n)
        {
            if (n < 2 || n > 65536 || !BitOperations.IsPow2(n))
            {
                errors.Add($"Nfft {n} is invalid: use a power of two from 2 to 65536, or null for the next power of two at least the frame length.");
            }
            else if (rateOk && FrameMs > 0 && n < FrameSamples)
            {
                errors.Add($"Nfft {n} is shorter than the frame ({FrameSamples} samples): use a power of two at least {FrameSamples}, or null.");
            }
        }
        else if (rateOk && FrameMs is > 0 and <= 10000 && FrameSamples > 65536)
        {
            errors.Add($"FrameMs {FrameMs} gives {FrameSamples} samples: the FFT is limited to 65536 points; use a shorter frame.");
        }
        if (NumFeatureBins is < 1 or > 1024)
        {
            errors.Add($"NumFeatureBins {NumFeatureBins} is invalid: use 1 to 1024 mel bands (80 is usual).");
        }
        if (!Enum.IsDefined(FeatureType))
        {
            errors.Add($"FeatureType {(int)FeatureType} is invalid: use Spectrogram, Mfcc or LogMelSpectrogram.");
        }
        if (!Enum.IsDefined(Window))
        {
            errors.Add($"Window {(int)Window} is invalid: use Hann or Hamming.");
        }
        if (MelMaxHz is { } top && !(top >= 1000 && top <= SampleRateHz / 2.0))
        {
            errors.Add($"MelMaxHz {top} is invalid: use 1000 Hz to half the sample rate ({SampleRateHz / 2} Hz), or leave it out for the Nyquist frequency.");
        }
        if (NumMfcc is { } m && (m < 1 || m > NumFeatureBins))
        {
            errors.Add($"NumMfcc {m} is invalid: use 1 to NumFeatureBins ({NumFeatureBins}), or null for all.");
        }
        if (!(LogFloor > 0 && LogFloor < 1))
        {
            errors.Add($"LogFloor {LogFloor} is invalid: use a small positive number below 1 (1e-10 is usual).");
        }
        if (!(DitherAmount >= 0 && DitherAmount <= 1))
        {
            errors.Add($"DitherAmount {DitherAmount} is invalid: use 0 (off) to 1; 1e-5 is usual.");
        }
        if (!(PreEmphasis >= 0 && PreEmphasis < 1))
        {
            errors.Add($"PreEmphasis {PreEmphasis} is invalid: use 0 (off) up to but not including 1; 0.97 is usual.");
        }
        if (!Enum.IsDefined(NormalizePerFeature))
        {
            errors.Add($"NormalizePerFeature {(int)NormalizePerFeature} is invalid: use None, WholeFile or Running.");
        }
        if (!(NormalizationEpsilon > 0 && NormalizationEpsilon < 1))
        {
            errors.Add($"NormalizationEpsilon {NormalizationEpsilon} is invalid: use a small positive number below 1 (1e-9 is usual).");
        }
        if (!(RunningNormalizationSeconds > 0 && RunningNormalizationSeconds <= 3600))
        {
            errors.Add($"RunningNormalizationSeconds {RunningNormalizationSeconds} is invalid: use more than 0 up to 3600 s (3 is usual).");
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every error, or returns these options.</summary>
    public FeaturizerOptions Validate()
    {
        OptionsValidationException.ThrowIfAny(GetValidationErrors());
        return this;
    }
}
