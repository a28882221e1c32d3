// Speaker embeddings from an exported ONNX model (WeSpeaker, 3D-Speaker CAM++/ERes2Net, NeMo TitaNet):
// Kaldi fbank of each window, per-window normalisation, one Run per batch of equal-length windows.
// The model describes itself (metadata and input/output shapes); anything that does not fit fails at load, by name.
using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using StreamDiarize.Core.Features;

namespace StreamDiarize.Onnx;

/// <summary>
/// Turns 16 kHz mono windows into speaker embeddings with an ONNX model. Thread-safe: many callers may
/// <see cref="Embed(ReadOnlySpan{float}, Span{float})"/> at once (they share one session through
/// <see cref="OnnxModelRegistry"/>); <see cref="OnnxBatchScheduler"/> gathers concurrent callers into batches.
/// </summary>
public sealed class OnnxSpeakerEmbedder : IDisposable
{
    /// <summary>Names the feature input has in the exported families, in order of preference.</summary>
    private static readonly string[] FeatureInputNames = ["feats", "x", "feature", "features", "audio_signal", "input_features", "input"];

    private static readonly string[] LengthInputNames = ["length", "lengths", "feats_len", "feats_lens", "audio_signal_length", "feature_lengths"];

    private static readonly string[] EmbeddingOutputNames = ["embs", "embedding", "embeddings", "emb", "output"];

    private readonly OnnxModelLease _lease;
    private readonly RunOptions _runOptions = new();
    private readonly ConcurrentBag<KaldiFbank> _featurizers = [];
    private readonly KaldiFbankOptions _fbankOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _lengthIsInt32;
    private readonly int _modelBatchLimit;
    private long _runCount;
    private int _disposed;

    public OnnxSpeakerEmbedder(string modelPath, OnnxEmbedderOptions? options = null, OnnxModelRegistry? registry = null)
    {
        options ??= new OnnxEmbedderOptions();
        options.Validate();
        ModelPath = modelPath;
        _lease = (registry ?? OnnxModelRegistry.Shared).Acquire(modelPath, new OnnxSessionSettings(options.IntraOpThreads, options.InterOpThreads));
        try
        {
            var session = _lease.Session;
            Metadata = new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);

            SampleRateHz = ResolveSampleRate(options);
            Framework = (options.Framework ?? Meta("framework") ?? "").Trim().ToLowerInvariant();
            bool nemo = Framework == "nemo";
            NormalizeSamples = options.NormalizeSamples ?? ParseBool("normalize_samples") ?? nemo;
            Normalization = options.FeatureNormalization ?? ParseNormalization() ?? (nemo ? FeatureNormalization.MeanVariance : FeatureNormalization.Mean);
            _fbankOptions = options.Fbank with { NormalizeSamples = NormalizeSamples };
            MelBins = _fbankOptions.MelBins;

            (InputName, Layout, _modelBatchLimit) = ResolveFeatureInput(session, options);
            (LengthInputName, _lengthIsInt32) = ResolveLengthInput(session);
            _inputNames = LengthInputName is null ? [InputName] : [InputName, LengthInputName];
            (OutputName, int fixedDim) = ResolveOutput(session, options);
            _outputNames = [OutputName];
            Dimension = ResolveDimension(options, fixedDim);
            _featurizers.Add(new KaldiFbank(_fbankOptions));
            if (Dimension <= 0)
            {
                Dimension = ProbeDimension();
            }
        }
        catch
        {
            _runOptions.Dispose();
            _lease.Dispose();
            throw;
        }
    }

    public string ModelPath { get; }

    /// <summary>Length of each embedding.</summary>
    public int Dimension { get; }

    /// <summary>Always 16000: the rate of the samples passed to Embed.</summary>
    public int SampleRateHz { get; }

    /// <summary>wespeaker, 3d-speaker, nemo, or empty when neither metadata nor options say.</summary>
    public string Framework { get; }

    public bool NormalizeSamples { get; }

    public FeatureNormalization Normalization { get; }

    public FeatureLayout Layout { get; }

    public int MelBins { get; }

    public string InputName { get; }

    /// <summary>The lengths input (NeMo's "length"), filled with the frame count; null when the model has none.</summary>
    public string? LengthInputName { get; }

    public string OutputName { get; }

    /// <summary>The model's custom metadata as stored in the file.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The shortest window that gives a feature frame (25 ms at 16 kHz).</summary>
    public int MinWindowSamples => _fbankOptions.FrameLengthSamples;

    /// <summary>How many times the model has been run (a batch counts once).</summary>
    public long RunCount => Interlocked.Read(ref _runCount);

    /// <summary>The embedding of one window of 16 kHz mono samples in [-1, 1].</summary>
    public float[] Embed(ReadOnlySpan<float> samples16k)
    {
        var embedding = new float[Dimension];
        Embed(samples16k, embedding);
        return embedding;
    }

    /// <summary>Writes the embedding of one window into <paramref name="embedding"/> (length <see cref="Dimension"/>).</summary>
    public void Embed(ReadOnlySpan<float> samples16k, Span<float> embedding)
    {
        ThrowIfDisposed();
        if (embedding.Length != Dimension)
        {
            throw new ArgumentException($"embedding has length {embedding.Length}, the model gives {Dimension}", nameof(embedding));
        }
        int frames = FramesOf(samples16k.Length, "samples16k");
        int size = frames * MelBins;
        var features = ArrayPool<float>.Shared.Rent(size);
        try
        {
            Featurize(samples16k, features.AsSpan(0, size), frames);
            Run(features, 1, frames, embedding);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
        }
    }

    /// <summary>
    /// Embeddings of many windows, row-major into <paramref name="output"/> ([windows.Count, Dimension]).
    /// Windows of equal length share one Run; windows of other lengths run in their own group, never padded,
    /// because padding would change what a pooling model averages over.
    /// </summary>
    public void EmbedBatch(IReadOnlyList<ReadOnlyMemory<float>> windows, Span<float> output)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(windows);
        if (output.Length != windows.Count * Dimension)
        {
            throw new ArgumentException($"output has length {output.Length}, {windows.Count} windows of {Dimension} need {windows.Count * Dimension}", nameof(output));
        }
        if (windows.Count == 0)
        {
            return;
        }
        // Group window indices by frame count (the tensor's T); first-seen order keeps runs deterministic.
        var groups = new Dictionary<int, List<int>>();
        var order = new List<int>();
        for (int i = 0; i < windows.Count; i++)
        {
            int frames = FramesOf(windows[i].Length, $"windows[{i}]");
            if (!groups.TryGetValue(frames, out var list))
            {
                groups[frames] = list = [];
                order.Add(frames);
            }
            list.Add(i);
        }
        foreach (int frames in order)
        {
            var members = groups[frames];
            for (int start = 0; start < members.Count; start += _modelBatchLimit)
            {
                int count = Math.Min(_modelBatchLimit, members.Count - start);
                RunGroup(windows, members, start, count, frames, output);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _runOptions.Dispose();
            _lease.Dispose();
        }
    }

    internal int FramesOf(int sampleCount, string name)
    {
        int frames = sampleCount < _fbankOptions.FrameLengthSamples
            ? 0
            : 1 + ((sampleCount - _fbankOptions.FrameLengthSamples) / _fbankOptions.FrameShiftSamples);
        if (frames == 0)
        {
            throw new ArgumentException(
                $"{name} has {sampleCount} samples: a window needs at least {_fbankOptions.FrameLengthSamples} ({_fbankOptions.FrameLengthMs} ms at 16 kHz)", name);
        }
        return frames;
    }

    private void RunGroup(IReadOnlyList<ReadOnlyMemory<float>> windows, List<int> members, int start, int count, int frames, Span<float> output)
    {
        int per = frames * MelBins;
        var features = ArrayPool<float>.Shared.Rent(per * count);
        var result = ArrayPool<float>.Shared.Rent(count * Dimension);
        try
        {
            for (int j = 0; j < count; j++)
            {
                Featurize(windows[members[start + j]].Span, features.AsSpan(j * per, per), frames);
            }
            Run(features, count, frames, result.AsSpan(0, count * Dimension));
            for (int j = 0; j < count; j++)
            {
                result.AsSpan(j * Dimension, Dimension).CopyTo(output.Slice(members[start + j] * Dimension, Dimension));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(features);
            ArrayPool<float>.Shared.Return(result);
        }
    }

    /// <summary>Fbank of one window, normalised and laid out as the model wants, into <paramref name="dest"/>.</summary>
    private void Featurize(ReadOnlySpan<float> samples, Span<float> dest, int frames)
    {
        if (!_featurizers.TryTake(out var fbank))
        {
            fbank = new KaldiFbank(_fbankOptions);
        }
        try
        {
            if (Layout == FeatureLayout.FramesByBins)
            {
                fbank.Compute(samples, dest);
                FbankNormalizer.Normalize(dest, frames, MelBins, Normalization);
            }
            else
            {
                var scratch = ArrayPool<float>.Shared.Rent(frames * MelBins);
                try
                {
                    var fm = scratch.AsSpan(0, frames * MelBins);
                    fbank.Compute(samples, fm);
                    FbankNormalizer.Normalize(fm, frames, MelBins, Normalization);
                    for (int t = 0; t < frames; t++)
                    {
                        for (int b = 0; b < MelBins; b++)
                        {
                            dest[(b * frames) + t] = fm[(t * MelBins) + b];
                        }
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
            }
        }
        finally
        {
            _featurizers.Add(fbank);
        }
    }

    private void Run(float[] features, int batch, int frames, Span<float> dest)
    {
        long[] shape = Layout == FeatureLayout.FramesByBins ? [batch, frames, MelBins] : [batch, MelBins, frames];
        var values = new OrtValue[_inputNames.Length];
        try
        {
            values[0] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, features.AsMemory(0, batch * frames * MelBins), shape);
            if (LengthInputName is not null)
            {
                values[1] = _lengthIsInt32
                    ? OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(frames, batch).ToArray(), [batch])
                    : OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((long)frames, batch).ToArray(), [batch]);
            }
            using var outputs = _lease.Session.Run(_runOptions, _inputNames, values, _outputNames);
            Interlocked.Increment(ref _runCount);
            var output = outputs[0];
            var got = output.GetTensorTypeAndShape().Shape;
            if (got.Length != 2 || got[0] != batch || got[1] * batch != dest.Length)
            {
                throw new OnnxModelException(ModelPath,
                    $"output '{OutputName}' came back as [{string.Join(", ", got)}] for a batch of {batch}: expected [{batch}, {dest.Length / Math.Max(batch, 1)}]");
            }
            output.GetTensorDataAsSpan<float>().CopyTo(dest);
        }
        finally
        {
            foreach (var v in values)
            {
                v?.Dispose();
            }
        }
    }

    private int ProbeDimension()
    {
        // The output's width is symbolic and no metadata gives it: run one second of silence and look.
        int frames = FramesOf(16000, "probe");
        var features = new float[frames * MelBins];
        Featurize(new float[16000], features, frames);
        long[] shape = Layout == FeatureLayout.FramesByBins ? [1, frames, MelBins] : [1, MelBins, frames];
        var values = new OrtValue[_inputNames.Length];
        try
        {
            values[0] = OrtValue.CreateTensorValueFromMemory(features, shape);
            if (LengthInputName is not null)
            {
                values[1] = _lengthIsInt32
                    ? OrtValue.CreateTensorValueFromMemory(new[] { frames }, [1])
                    : OrtValue.CreateTensorValueFromMemory(new[] { (long)frames }, [1]);
            }
            using var outputs = _lease.Session.Run(_runOptions, _inputNames, values, _outputNames);
            var got = outputs[0].GetTensorTypeAndShape().Shape;
            if (got.Length != 2 || got[0] != 1 || got[1] < 1)
            {
                throw new OnnxModelException(ModelPath, $"output '{OutputName}' came back as [{string.Join(", ", got)}] for one window: expected [1, D]");
            }
            return (int)got[1];
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxModelException(ModelPath,
                $"the output width is not fixed and a trial run failed ({ex.Message}): add metadata output_dim or set OnnxEmbedderOptions.OutputDim", ex);
        }
        finally
        {
            foreach (var v in values)
            {
                v?.Dispose();
            }
        }
    }

    private int ResolveSampleRate(OnnxEmbedderOptions options)
    {
        if (options.SampleRateHz is { } given)
        {
            return given;
        }
        var text = Meta("sample_rate") ?? throw new OnnxModelException(ModelPath,
            "metadata key 'sample_rate' is missing: set OnnxEmbedderOptions.SampleRateHz = 16000 (config Onnx:Embedder:SampleRateHz) " +
            "if the model takes 16 kHz audio, or add the key to the model's metadata_props (key 'sample_rate', value '16000')");
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int rate))
        {
            throw new OnnxModelException(ModelPath, $"metadata sample_rate '{text}' is not a whole number of Hz: fix the metadata or set OnnxEmbedderOptions.SampleRateHz");
        }
        if (rate != 16000)
        {
            throw new OnnxModelException(ModelPath,
                $"metadata sample_rate is {rate} but the embedder feeds 16 kHz audio: use a 16 kHz model (WeSpeaker, 3D-Speaker and NeMo publish them)");
        }
        return rate;
    }

    private bool? ParseBool(string key)
    {
        var text = Meta(key);
        if (text is null)
        {
            return null;
        }
        return text.Trim().ToLowerInvariant() switch
        {
            "1" or "true" or "yes" => true,
            "0" or "false" or "no" => false,
            _ => throw new OnnxModelException(ModelPath, $"metadata {key} '{text}' is not 0/1/true/false: fix the metadata or set the option"),
        };
    }

    private FeatureNormalization? ParseNormalization()
    {
        var text = Meta("feature_normalize_type");
        if (text is null)
        {
            return null;
        }
        return text.Trim().ToLowerInvariant() switch
        {
            "" or "none" => FeatureNormalization.None,
            "mean" or "global-mean" or "global_mean" or "cmn" => FeatureNormalization.Mean,
            "per_feature" or "per-feature" or "mean-var" or "mean_var" or "cmvn" => FeatureNormalization.MeanVariance,
            _ => throw new OnnxModelException(ModelPath,
                $"metadata feature_normalize_type '{text}' is unknown: use none, global-mean/mean, or per_feature/mean-var, or set OnnxEmbedderOptions.FeatureNormalization"),
        };
    }

    private (string Name, FeatureLayout Layout, int BatchLimit) ResolveFeatureInput(InferenceSession session, OnnxEmbedderOptions options)
    {
        var inputs = session.InputMetadata;
        string want = $"a float input [B, T, {MelBins}] (WeSpeaker/3D-Speaker) or [B, {MelBins}, T] (NeMo)";
        string? name = options.InputName;
        if (name is not null)
        {
            if (!inputs.ContainsKey(name))
            {
                throw new OnnxModelException(ModelPath, $"has no input '{name}' (OnnxEmbedderOptions.InputName); inputs are {Describe(inputs)}");
            }
        }
        else
        {
            var candidates = inputs.Where(kv => kv.Value.IsTensor && kv.Value.ElementType == typeof(float)).Select(kv => kv.Key).ToList();
            name = candidates.Count == 1
                ? candidates[0]
                : FeatureInputNames.FirstOrDefault(candidates.Contains)
                  ?? throw new OnnxModelException(ModelPath, $"expected {want}, found inputs {Describe(inputs)}: set OnnxEmbedderOptions.InputName if one of them is the feature input");
        }
        var meta = inputs[name];
        int[] d = meta.Dimensions;
        if (!meta.IsTensor || meta.ElementType != typeof(float) || d.Length != 3)
        {
            throw new OnnxModelException(ModelPath, $"expected {want}, found '{name}' {Describe(meta)}");
        }
        bool lastFits = d[2] == MelBins || d[2] < 0;
        bool middleFits = d[1] == MelBins || d[1] < 0;
        FeatureLayout layout;
        if (options.Layout is { } forced)
        {
            layout = forced;
            if ((forced == FeatureLayout.FramesByBins && !lastFits) || (forced == FeatureLayout.BinsByFrames && !middleFits))
            {
                string shape = forced == FeatureLayout.FramesByBins ? $"[B, T, {MelBins}]" : $"[B, {MelBins}, T]";
                throw new OnnxModelException(ModelPath, $"expected input '{name}' of shape {shape} (Layout {forced}), found {Describe(meta)}");
            }
        }
        else if (d[2] == MelBins && d[1] != MelBins)
        {
            layout = FeatureLayout.FramesByBins;
        }
        else if (d[1] == MelBins && d[2] != MelBins)
        {
            layout = FeatureLayout.BinsByFrames;
        }
        else if (lastFits && middleFits)
        {
            // Both axes symbolic: the name tells the family (NeMo calls it audio_signal and wants bins first).
            layout = name == "audio_signal" || Framework == "nemo" ? FeatureLayout.BinsByFrames : FeatureLayout.FramesByBins;
        }
        else
        {
            throw new OnnxModelException(ModelPath, $"expected {want}, found '{name}' {Describe(meta)}");
        }
        if (d[0] > 1)
        {
            throw new OnnxModelException(ModelPath, $"input '{name}' has a fixed batch of {d[0]}: expected a symbolic batch axis or 1, found {Describe(meta)}");
        }
        return (name, layout, d[0] == 1 ? 1 : int.MaxValue);
    }

    private (string? Name, bool IsInt32) ResolveLengthInput(InferenceSession session)
    {
        string? lengthName = null;
        bool int32 = false;
        foreach (var (name, meta) in session.InputMetadata)
        {
            if (name == InputName)
            {
                continue;
            }
            bool isLength = LengthInputNames.Contains(name) && meta.IsTensor && meta.Dimensions.Length == 1
                            && (meta.ElementType == typeof(long) || meta.ElementType == typeof(int));
            if (!isLength || lengthName is not null)
            {
                throw new OnnxModelException(ModelPath,
                    $"input '{name}' {Describe(meta)} is not one the embedder can feed: it feeds the features ('{InputName}') and at most one int32/int64 [B] lengths input named {string.Join("/", LengthInputNames)}");
            }
            lengthName = name;
            int32 = meta.ElementType == typeof(int);
        }
        return (lengthName, int32);
    }

    private (string Name, int FixedDim) ResolveOutput(InferenceSession session, OnnxEmbedderOptions options)
    {
        var outputs = session.OutputMetadata;
        string? name = options.OutputName;
        if (name is not null && !outputs.ContainsKey(name))
        {
            throw new OnnxModelException(ModelPath, $"has no output '{name}' (OnnxEmbedderOptions.OutputName); outputs are {Describe(outputs)}");
        }
        name ??= outputs.Count == 1
            ? outputs.Keys.First()
            : EmbeddingOutputNames.FirstOrDefault(outputs.ContainsKey)
              ?? throw new OnnxModelException(ModelPath, $"expected one float output [B, D] or one named embs, found outputs {Describe(outputs)}: set OnnxEmbedderOptions.OutputName");
        var meta = outputs[name];
        if (!meta.IsTensor || meta.ElementType != typeof(float) || meta.Dimensions.Length != 2)
        {
            throw new OnnxModelException(ModelPath, $"expected a float output [B, D] (one embedding per window), found '{name}' {Describe(meta)}");
        }
        return (name, meta.Dimensions[1]);
    }

    private int ResolveDimension(OnnxEmbedderOptions options, int fixedDim)
    {
        int? declared = options.OutputDim;
        string source = "OnnxEmbedderOptions.OutputDim";
        if (declared is null && Meta("output_dim") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) || parsed < 1)
            {
                throw new OnnxModelException(ModelPath, $"metadata output_dim '{text}' is not a positive whole number: fix the metadata or set OnnxEmbedderOptions.OutputDim");
            }
            declared = parsed;
            source = "metadata output_dim";
        }
        if (declared is { } dd && fixedDim > 0 && dd != fixedDim)
        {
            throw new OnnxModelException(ModelPath, $"{source} says {dd} but output '{OutputName}' has shape [B, {fixedDim}]: fix the metadata or the option");
        }
        return fixedDim > 0 ? fixedDim : declared ?? 0;
    }

    private string? Meta(string key) => Metadata.TryGetValue(key, out var v) ? v : null;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    internal static string Describe(NodeMetadata meta)
    {
        if (!meta.IsTensor)
        {
            return $"(a {meta.OnnxValueType}, not a tensor)";
        }
        var dims = new string[meta.Dimensions.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            int d = meta.Dimensions[i];
            string sym = i < meta.SymbolicDimensions.Length ? meta.SymbolicDimensions[i] : "";
            dims[i] = d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : string.IsNullOrEmpty(sym) ? "?" : sym;
        }
        return $"[{string.Join(", ", dims)}] {ElementName(meta.ElementType)}";
    }

    internal static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(kv => $"'{kv.Key}' {Describe(kv.Value)}"));

    private static string ElementName(Type t) =>
        t == typeof(float) ? "float" : t == typeof(long) ? "int64" : t == typeof(int) ? "int32" : t == typeof(double) ? "double" : t.Name;
}
