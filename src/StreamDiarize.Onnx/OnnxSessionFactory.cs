// Live sessions that may name ONNX models: the default factory with two more kinds in its registry, embedder
// "onnx:PATH" (a speaker model, shared by every session naming it) and vad "onnx:PATH" (a Silero-style VAD, its state per session).
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Onnx;

/// <summary>
/// The composite <see cref="ISessionComponentsFactory"/>: one model per path is opened on first use and kept for the
/// life of the factory, shared by every session that names it (and batched across them when
/// <see cref="OnnxSettings.MicroBatch"/> is on). A model that cannot be used fails the session's creation with
/// <see cref="OnnxModelException"/>, naming the file and the problem; it is not cached, so a fixed file works next time.
/// </summary>
public sealed class OnnxSessionFactory : ISessionComponentsFactory, IComponentChoices, IDisposable
{
    public const string Prefix = "onnx:";

    private readonly DefaultDiarizerOptions _stages;
    private readonly OnlineDiarizerOptions _online;
    private readonly OnnxSettings _settings;
    private readonly OnnxModelRegistry? _registry;
    private readonly OnnxSpeechDetectorOptions _vadOptions;
    private readonly DefaultSessionFactory _features;
    private readonly Dictionary<string, OnnxWindowEmbedder> _models = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _disposed;

    public OnnxSessionFactory(DefaultDiarizerOptions? stages = null, OnlineDiarizerOptions? online = null, OnnxSettings? settings = null, OnnxModelRegistry? registry = null)
    {
        _stages = (stages ?? new DefaultDiarizerOptions()).Validate();
        _online = (online ?? new OnlineDiarizerOptions()).Validate();
        _settings = (settings ?? new OnnxSettings()).Validate();
        _registry = registry;
        _features = new DefaultSessionFactory(_stages, _online);
        Registry.Embedders.Add("onnx", "PATH", (path, _) => Model(path));
        _vadOptions = new OnnxSpeechDetectorOptions { Mask = _stages.Speech };
        Registry.SpeechDetectors.Add("onnx", "PATH", (path, session) => OnnxStreamingSpeechDetector.ForSession(path, _vadOptions, session.LatencySeconds, _registry));
    }

    public ComponentRegistry Registry => _features.Registry;

    /// <summary>The models opened so far, by full path (for tests and metrics).</summary>
    public IReadOnlyDictionary<string, OnnxWindowEmbedder> Models
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, OnnxWindowEmbedder>(_models, StringComparer.Ordinal);
            }
        }
    }

    public SessionComponents Create(SessionOptions options) => _features.Create(options);

    /// <summary>The model at <paramref name="path"/>, opened once per process path.</summary>
    /// <exception cref="OnnxModelException">The model cannot be used; the message names the file and the problem.</exception>
    public OnnxWindowEmbedder Model(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new OnnxModelException("(empty)", "no model path after 'onnx:': give onnx:/path/to/model.onnx");
        }
        string key = Path.GetFullPath(path);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_models.TryGetValue(key, out var model))
            {
                // Opening under the lock: two sessions asking for a new model at once open it once.
                model = OnnxWindowEmbedder.Open(path, _settings, _registry);
                _models[key] = model;
            }
            return model;
        }
    }

    /// <summary>Opens the VAD model at <paramref name="path"/> as a session would, then lets it go: a check before any session names it.</summary>
    /// <exception cref="OnnxModelException">The model cannot be used; the message names the file and the problem.</exception>
    public void CheckSpeechDetector(string path)
    {
        using var vad = new OnnxVad(path, _vadOptions.Vad, _registry);
    }

    public void Dispose()
    {
        List<OnnxWindowEmbedder> models;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            models = [.. _models.Values];
            _models.Clear();
        }
        foreach (var m in models)
        {
            m.Dispose();
        }
    }
}
