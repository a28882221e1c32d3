// Settings of the Kaldi-compatible filter bank, with Kaldi's compute-fbank defaults and units in the names.
using StreamDiarize.Core.Options;

namespace StreamDiarize.Core.Features;

/// <summary>The analysis window applied to each frame before the FFT (Kaldi's <c>--window-type</c>).</summary>
public enum FbankWindowType
{
    /// <summary>Kaldi's default: a Hann window raised to the power 0.85, which does not go to zero at the edges.</summary>
    Povey,

    /// <summary>0.5 - 0.5 cos(2 pi n / (N - 1)).</summary>
    Hanning,

    /// <summary>0.54 - 0.46 cos(2 pi n / (N - 1)).</summary>
    Hamming,

    /// <summary>No window.</summary>
    Rectangular,
}

/// <summary>
/// Options of <see cref="KaldiFbank"/>. The defaults are those of Kaldi's <c>compute-fbank</c> as used by
/// WeSpeaker, 3D-Speaker and sherpa-onnx speaker models: 16 kHz, 25 ms frames every 10 ms, 80 mel bins,
/// Povey window, pre-emphasis 0.97, no dither, <c>snip_edges=true</c>.
/// </summary>
public sealed record KaldiFbankOptions
{
    public int SampleRateHz { get; init; } = 16000;

    public double FrameLengthMs { get; init; } = 25.0;

    public double FrameShiftMs { get; init; } = 10.0;

    public int MelBins { get; init; } = 80;

    /// <summary>Low edge of the first mel filter.</summary>
    public double LowFreqHz { get; init; } = 20.0;

    /// <summary>High edge of the last mel filter; zero or negative counts back from Nyquist (Kaldi's convention).</summary>
    public double HighFreqHz { get; init; }

    public double PreemphasisCoefficient { get; init; } = 0.97;

    public bool RemoveDcOffset { get; init; } = true;

    public FbankWindowType Window { get; init; } = FbankWindowType.Povey;

    /// <summary>
    /// Standard deviation of the Gaussian noise added to each sample (in the scaled units, see
    /// <see cref="NormalizeSamples"/>). Zero, the default, keeps features deterministic; Kaldi's own default is 1.
    /// </summary>
    public float Dither { get; init; }

    /// <summary>Seed of the dither noise, so that a run with dither can still be repeated.</summary>
    public int DitherSeed { get; init; }

    /// <summary>
    /// False (the default): samples in [-1, 1] are multiplied by 32768 first, so the features match Kaldi run on
    /// 16-bit PCM, which is what WeSpeaker and 3D-Speaker models were trained on (sherpa-onnx's
    /// <c>normalize_samples=0</c>). True: the samples are used as given (sherpa-onnx's <c>normalize_samples=1</c>).
    /// </summary>
    public bool NormalizeSamples { get; init; }

    /// <summary>Smallest mel energy before the log, so silence gives a finite value; Kaldi uses float epsilon.</summary>
    public float LogFloor { get; init; } = 1.19209290e-07f;

    public int FrameLengthSamples => (int)Math.Round(SampleRateHz * FrameLengthMs / 1000.0);

    public int FrameShiftSamples => (int)Math.Round(SampleRateHz * FrameShiftMs / 1000.0);

    /// <summary>Every problem with these options, each naming the value and the allowed range; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (SampleRateHz < 1000 || SampleRateHz > 192000)
        {
            errors.Add($"SampleRateHz {SampleRateHz} is invalid: give the rate of the audio, 1000 to 192000 (speaker models use 16000)");
        }
        if (!(FrameLengthMs > 0) || FrameLengthMs > 1000)
        {
            errors.Add($"FrameLengthMs {FrameLengthMs} is invalid: use more than 0 and at most 1000 (Kaldi uses 25)");
        }
        if (!(FrameShiftMs > 0) || FrameShiftMs > 1000)
        {
            errors.Add($"FrameShiftMs {FrameShiftMs} is invalid: use more than 0 and at most 1000 (Kaldi uses 10)");
        }
        if (errors.Count == 0 && FrameLengthSamples < 2)
        {
            errors.Add($"FrameLengthMs {FrameLengthMs} at {SampleRateHz} Hz gives {FrameLengthSamples} samples: a frame needs at least 2");
        }
        if (errors.Count == 0 && FrameShiftSamples < 1)
        {
            errors.Add($"FrameShiftMs {FrameShiftMs} at {SampleRateHz} Hz gives no sample: a shift needs at least 1");
        }
        if (MelBins < 1 || MelBins > 512)
        {
            errors.Add($"MelBins {MelBins} is invalid: use 1 to 512 (speaker models use 80)");
        }
        double nyquist = SampleRateHz / 2.0;
        double high = HighFreqHz > 0 ? HighFreqHz : nyquist + HighFreqHz;
        if (LowFreqHz < 0 || LowFreqHz >= nyquist)
        {
            errors.Add($"LowFreqHz {LowFreqHz} is invalid: use 0 or more and below Nyquist ({nyquist} Hz)");
        }
        if (high <= 0 || high > nyquist || high <= LowFreqHz)
        {
            errors.Add($"HighFreqHz {HighFreqHz} gives a high edge of {high} Hz: it must lie above LowFreqHz ({LowFreqHz}) and at most at Nyquist ({nyquist}); 0 means Nyquist");
        }
        if (PreemphasisCoefficient < 0 || PreemphasisCoefficient > 1 || double.IsNaN(PreemphasisCoefficient))
        {
            errors.Add($"PreemphasisCoefficient {PreemphasisCoefficient} is invalid: use 0 (off) to 1 (Kaldi uses 0.97)");
        }
        if (Dither < 0 || float.IsNaN(Dither))
        {
            errors.Add($"Dither {Dither} is invalid: use 0 (off, deterministic) or a positive noise level (Kaldi uses 1)");
        }
        if (!(LogFloor > 0))
        {
            errors.Add($"LogFloor {LogFloor} is invalid: it must be positive so silence has a finite log (Kaldi uses 1.19209290e-07)");
        }
        if (!Enum.IsDefined(Window))
        {
            errors.Add($"Window {(int)Window} is not a known window type: use Povey, Hanning, Hamming or Rectangular");
        }
        return errors;
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem at once.</summary>
    public void Validate()
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(errors);
        }
    }
}
