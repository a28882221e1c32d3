// Settings of the ONNX speaker embedder. Anything left null is read from the model's own metadata,
// so a well-exported model needs no settings; a value given here always wins over the metadata.
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Onnx;

/// <summary>How the fbank matrix is laid out in the model's feature input.</summary>
public enum FeatureLayout
{
    /// <summary>[batch, frames, mel bins]: WeSpeaker ("feats"), 3D-Speaker CAM++/ERes2Net ("x" / "feature").</summary>
    FramesByBins,

    /// <summary>[batch, mel bins, frames]: NeMo TitaNet / ECAPA ("audio_signal", with a "length" input).</summary>
    BinsByFrames,
}

/// <summary>What is done to the fbank of a window before it goes into the model.</summary>
public enum FeatureNormalization
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>Subtract, per mel bin, the mean over the window's frames (WeSpeaker's CMN, 3D-Speaker's "global-mean").</summary>
    Mean,

    /// <summary>Subtract the mean and divide by the standard deviation per mel bin (NeMo's "per_feature").</summary>
    MeanVariance,
}

public sealed record OnnxEmbedderOptions
{
    /// <summary>Threads one Run may use; 1 suits many concurrent streams on few cores.</summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Threads for running independent graph branches in parallel; 1 runs the graph sequentially.</summary>
    public int InterOpThreads { get; init; } = 1;

    /// <summary>Overrides metadata <c>sample_rate</c>. It must be 16000: the embedder is fed 16 kHz audio.</summary>
    public int? SampleRateHz { get; init; }

    /// <summary>Overrides metadata <c>normalize_samples</c> (see <see cref="KaldiFbankOptions.NormalizeSamples"/>).</summary>
    public bool? NormalizeSamples { get; init; }

    /// <summary>Overrides metadata <c>feature_normalize_type</c>; without either, <see cref="FeatureNormalization.Mean"/>.</summary>
    public FeatureNormalization? FeatureNormalization { get; init; }

    /// <summary>Overrides metadata <c>framework</c> (wespeaker, 3d-speaker, nemo); informs defaults only.</summary>
    public string? Framework { get; init; }

    /// <summary>Overrides the layout read from the input's shape and name.</summary>
    public FeatureLayout? Layout { get; init; }

    /// <summary>The feature input to use when the model has several float inputs of rank 3.</summary>
    public string? InputName { get; init; }

    /// <summary>The embedding output to use when the model has several outputs (default: "embs", else the only one).</summary>
    public string? OutputName { get; init; }

    /// <summary>Overrides metadata <c>output_dim</c>; checked against the output's shape when that is fixed.</summary>
    public int? OutputDim { get; init; }

    /// <summary>
    /// The fbank settings; <see cref="KaldiFbankOptions.NormalizeSamples"/> here is replaced by the resolved
    /// normalize_samples, and <see cref="KaldiFbankOptions.SampleRateHz"/> must stay 16000.
    /// </summary>
    public KaldiFbankOptions Fbank { get; init; } = new();

    /// <summary>Every problem with these options; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (IntraOpThreads < 0 || IntraOpThreads > 256)
        {
            errors.Add($"IntraOpThreads {IntraOpThreads} is invalid: use 1 to 256, or 0 to let ONNX Runtime use every core");
        }
        if (InterOpThreads < 0 || InterOpThreads > 256)
        {
            errors.Add($"InterOpThreads {InterOpThreads} is invalid: use 1 to 256, or 0 for ONNX Runtime's default");
        }
        if (SampleRateHz is { } sr && sr != 16000)
        {
            errors.Add($"SampleRateHz {sr} is not supported: the embedder takes 16 kHz audio (resample before it) and needs a 16 kHz model");
        }
        if (OutputDim is { } d && (d < 1 || d > 65536))
        {
            errors.Add($"OutputDim {d} is invalid: use 1 to 65536, or leave it null to read the model");
        }
        if (FeatureNormalization is { } n && !Enum.IsDefined(n))
        {
            errors.Add($"FeatureNormalization {(int)n} is unknown: use None, Mean or MeanVariance");
        }
        if (Layout is { } l && !Enum.IsDefined(l))
        {
            errors.Add($"Layout {(int)l} is unknown: use FramesByBins or BinsByFrames");
        }
        if (Fbank is null)
        {
            errors.Add("Fbank is null: leave it unset for the Kaldi defaults");
        }
        else
        {
            if (Fbank.SampleRateHz != 16000)
            {
                errors.Add($"Fbank.SampleRateHz {Fbank.SampleRateHz} is not supported: the embedder takes 16 kHz audio");
            }
            foreach (var p in Fbank.GetValidationErrors())
            {
                errors.Add("Fbank." + p);
            }
        }
        return errors;
    }

    public void Validate()
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(errors);
        }
    }
}
