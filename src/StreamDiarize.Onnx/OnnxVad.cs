// Voice-activity detection with a Silero VAD v5 style ONNX model: 512-sample chunks at 16 kHz, a recurrent state
// carried from chunk to chunk, one speech probability per chunk. One instance per audio stream.
using Microsoft.ML.OnnxRuntime;
using StreamDiarize.Core.Options;

namespace StreamDiarize.Onnx;

public sealed record OnnxVadOptions
{
    public int IntraOpThreads { get; init; } = 1;

    public int InterOpThreads { get; init; } = 1;

    /// <summary>New samples per model call; Silero v5 takes 512 at 16 kHz.</summary>
    public int ChunkSamples { get; init; } = 512;

    /// <summary>
    /// Samples of the previous chunk put in front of each chunk, as Silero v5's own wrapper does (64 at 16 kHz):
    /// the model was trained on 576-sample inputs. Null: 64, or 0 when the model's input width is fixed to
    /// <see cref="ChunkSamples"/>.
    /// </summary>
    public int? ContextSamples { get; init; }

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (IntraOpThreads < 0 || InterOpThreads < 0)
        {
            errors.Add($"IntraOpThreads {IntraOpThreads} / InterOpThreads {InterOpThreads} are invalid: use 1 or more, or 0 for ONNX Runtime's default");
        }
        if (ChunkSamples < 1 || ChunkSamples > 16000)
        {
            errors.Add($"ChunkSamples {ChunkSamples} is invalid: use 1 to 16000 (Silero v5 takes 512)");
        }
        if (ContextSamples is { } c && (c < 0 || c > 16000))
        {
            errors.Add($"ContextSamples {c} is invalid: use 0 to 16000 (Silero v5 uses 64), or null");
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

/// <summary>
/// Runs a Silero-v5-shaped model: inputs "input" float [1, N], "state" float [2, 1, 128], "sr" int64 scalar;
/// outputs "output" float [1, 1] (speech probability) and "stateN" float [2, 1, 128]. Not thread-safe: it
/// holds one stream's state. Sessions are shared through <see cref="OnnxModelRegistry"/>.
/// </summary>
public sealed class OnnxVad : IDisposable
{
    private const int SampleRate = 16000;
    private static readonly long[] StateShape = [2, 1, 128];

    private readonly OnnxModelLease _lease;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _input;
    private readonly float[] _state = new float[2 * 128];
    private readonly long[] _sr = [SampleRate];
    private readonly string[] _inputNames = ["input", "state", "sr"];
    private readonly string[] _outputNames = ["output", "stateN"];
    private readonly long[] _inputShape;
    private long[] _srShape = [];
    private bool _disposed;

    public OnnxVad(string modelPath, OnnxVadOptions? options = null, OnnxModelRegistry? registry = null)
    {
        options ??= new OnnxVadOptions();
        options.Validate();
        ModelPath = modelPath;
        ChunkSamples = options.ChunkSamples;
        _lease = (registry ?? OnnxModelRegistry.Shared).Acquire(modelPath, new OnnxSessionSettings(options.IntraOpThreads, options.InterOpThreads));
        try
        {
            int fixedWidth = Validate(_lease.Session);
            ContextSamples = options.ContextSamples ?? (fixedWidth == ChunkSamples ? 0 : 64);
            if (fixedWidth > 0 && fixedWidth != ContextSamples + ChunkSamples)
            {
                throw new OnnxModelException(modelPath,
                    $"expected input 'input' of shape [1, {ContextSamples + ChunkSamples}] ({ContextSamples} context + {ChunkSamples} new samples), found [1, {fixedWidth}]: set OnnxVadOptions.ChunkSamples/ContextSamples to match");
            }
        }
        catch
        {
            _runOptions.Dispose();
            _lease.Dispose();
            throw;
        }
        _input = new float[ContextSamples + ChunkSamples];
        _inputShape = [1, _input.Length];
    }

    public string ModelPath { get; }

    public int ChunkSamples { get; }

    public int ContextSamples { get; }

    /// <summary>Forgets the stream: zero state and context, as at the start of new audio.</summary>
    public void Reset()
    {
        Array.Clear(_state);
        Array.Clear(_input);
    }

    /// <summary>Speech probability of the next <see cref="ChunkSamples"/> samples of the stream (16 kHz, [-1, 1]).</summary>
    public float ProcessChunk(ReadOnlySpan<float> chunk)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (chunk.Length != ChunkSamples)
        {
            throw new ArgumentException($"a chunk has {ChunkSamples} samples at 16 kHz, got {chunk.Length}", nameof(chunk));
        }
        // _input holds [context | chunk]; the context is the tail of the previous call's input.
        _input.AsSpan(_input.Length - ContextSamples, ContextSamples).CopyTo(_input);
        chunk.CopyTo(_input.AsSpan(ContextSamples));

        using var input = OrtValue.CreateTensorValueFromMemory(_input, _inputShape);
        using var state = OrtValue.CreateTensorValueFromMemory(_state, StateShape);
        using var sr = OrtValue.CreateTensorValueFromMemory(_sr, _srShape);
        using var outputs = _lease.Session.Run(_runOptions, _inputNames, [input, state, sr], _outputNames);
        float probability = outputs[0].GetTensorDataAsSpan<float>()[0];
        var newState = outputs[1].GetTensorDataAsSpan<float>();
        if (newState.Length != _state.Length)
        {
            throw new OnnxModelException(ModelPath, $"output 'stateN' came back with {newState.Length} values: expected [2, 1, 128] ({_state.Length})");
        }
        newState.CopyTo(_state);
        return probability;
    }

    /// <summary>
    /// Probabilities of consecutive chunks of <paramref name="samples"/> (whose length must be a multiple of
    /// <see cref="ChunkSamples"/>) into <paramref name="probabilities"/>; returns the number of chunks.
    /// </summary>
    public int ProcessChunks(ReadOnlySpan<float> samples, Span<float> probabilities)
    {
        if (samples.Length % ChunkSamples != 0)
        {
            throw new ArgumentException($"{samples.Length} samples are not whole chunks of {ChunkSamples}: keep the remainder for the next call", nameof(samples));
        }
        int chunks = samples.Length / ChunkSamples;
        if (probabilities.Length < chunks)
        {
            throw new ArgumentException($"probabilities holds {probabilities.Length}, {chunks} chunks need as many", nameof(probabilities));
        }
        for (int i = 0; i < chunks; i++)
        {
            probabilities[i] = ProcessChunk(samples.Slice(i * ChunkSamples, ChunkSamples));
        }
        return chunks;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _runOptions.Dispose();
            _lease.Dispose();
        }
    }

    /// <summary>Checks the Silero v5 interface; returns the fixed input width, or -1 when it is symbolic.</summary>
    private int Validate(InferenceSession session)
    {
        const string Want = "Silero VAD v5 interface: inputs 'input' float [1, N], 'state' float [2, 1, 128], 'sr' int64 scalar; outputs 'output' float [1, 1], 'stateN' float [2, 1, 128]";
        var ins = session.InputMetadata;
        var outs = session.OutputMetadata;
        var problems = new List<string>();
        void Check(IReadOnlyDictionary<string, NodeMetadata> nodes, string kind, string name, Type type, int[] shape)
        {
            if (!nodes.TryGetValue(name, out var m))
            {
                problems.Add($"no {kind} '{name}'");
                return;
            }
            bool fits = m.IsTensor && m.ElementType == type && m.Dimensions.Length == shape.Length;
            for (int i = 0; fits && i < shape.Length; i++)
            {
                fits = m.Dimensions[i] < 0 || shape[i] < 0 || m.Dimensions[i] == shape[i];
            }
            if (!fits)
            {
                string expected = shape.Length == 0 ? "scalar" : "[" + string.Join(", ", shape.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
                problems.Add($"{kind} '{name}' expected {expected} {(type == typeof(long) ? "int64" : "float")}, found {OnnxSpeakerEmbedder.Describe(m)}");
            }
        }
        Check(ins, "input", "input", typeof(float), [1, -1]);
        Check(ins, "input", "state", typeof(float), [2, 1, 128]);
        if (ins.TryGetValue("sr", out var srMeta) && srMeta.Dimensions.Length == 1 && srMeta.Dimensions[0] is 1 or -1)
        {
            // Some exports declare sr as [1]; a scalar still feeds it.
            _srShape = [1];
        }
        else
        {
            Check(ins, "input", "sr", typeof(long), []);
        }
        Check(outs, "output", "output", typeof(float), [-1, 1]);
        Check(outs, "output", "stateN", typeof(float), [2, 1, 128]);
        foreach (var extra in ins.Keys.Where(k => k is not ("input" or "state" or "sr")))
        {
            problems.Add($"unexpected input '{extra}' {OnnxSpeakerEmbedder.Describe(ins[extra])}");
        }
        if (problems.Count > 0)
        {
            throw new OnnxModelException(ModelPath, $"does not have the {Want}: {string.Join("; ", problems)}");
        }
        return ins["input"].Dimensions[1];
    }
}
