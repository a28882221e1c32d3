// One InferenceSession per model file per process: sessions are large and thread-safe to Run, so every
// embedder and VAD opened on the same file shares one, reference-counted and disposed with its last user.
using System.Diagnostics.CodeAnalysis;
using Microsoft.ML.OnnxRuntime;

namespace StreamDiarize.Onnx;

/// <summary>How a session is created; part of the identity of a shared session.</summary>
public readonly record struct OnnxSessionSettings(int IntraOpThreads, int InterOpThreads);

/// <summary>
/// Shares <see cref="InferenceSession"/>s by full model path. <see cref="Acquire"/> opens the model on first use
/// and counts users; disposing the last <see cref="OnnxModelLease"/> disposes the session. <see cref="Shared"/>
/// is the process-wide registry; a host may create its own and dispose it at shutdown, which disposes every
/// session still open.
/// </summary>
public sealed class OnnxModelRegistry : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>The process-wide registry used when a component is not given one.</summary>
    public static OnnxModelRegistry Shared { get; } = new();

    /// <summary>Sessions open now (for tests and diagnostics).</summary>
    public int OpenSessions
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// The shared session for <paramref name="modelPath"/>, opened with <paramref name="settings"/> if it is not
    /// open yet. Asking for a model already open with other thread settings is an error rather than a silent
    /// second copy of the weights.
    /// </summary>
    public OnnxModelLease Acquire(string modelPath, OnnxSessionSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        string key = Path.GetFullPath(modelPath);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.Settings != settings)
                {
                    throw new OnnxModelException(modelPath,
                        $"already open with {entry.Settings.IntraOpThreads} intra-op and {entry.Settings.InterOpThreads} inter-op threads, " +
                        $"now asked for {settings.IntraOpThreads} and {settings.InterOpThreads}: give every user of one model the same thread settings");
                }
                entry.Users++;
                return new OnnxModelLease(this, key, modelPath, entry.Session);
            }
            // Opening under the lock keeps "one session per path" true when two users race; opening is rare.
            var session = Open(modelPath, settings);
            _entries[key] = new Entry(session, settings) { Users = 1 };
            return new OnnxModelLease(this, key, modelPath, session);
        }
    }

    internal void Release(string key)
    {
        InferenceSession? toDispose = null;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && --entry.Users == 0)
            {
                _entries.Remove(key);
                toDispose = entry.Session;
            }
        }
        toDispose?.Dispose();
    }

    public void Dispose()
    {
        List<Entry> entries;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            entries = [.. _entries.Values];
            _entries.Clear();
        }
        foreach (var e in entries)
        {
            e.Session.Dispose();
        }
    }

    private static InferenceSession Open(string modelPath, OnnxSessionSettings settings)
    {
        if (!File.Exists(modelPath))
        {
            throw new OnnxModelException(modelPath, "model file not found: give the path of an .onnx file");
        }
        var options = new SessionOptions
        {
            IntraOpNumThreads = settings.IntraOpThreads,
            InterOpNumThreads = settings.InterOpThreads,
            ExecutionMode = settings.InterOpThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            return new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxModelException(modelPath, $"not a valid ONNX model: {FirstLine(ex.Message)} (truncated or corrupt, or made for a newer ONNX Runtime)", ex);
        }
        finally
        {
            options.Dispose();
        }
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOf('\n', StringComparison.Ordinal);
        return nl < 0 ? s : s[..nl];
    }

    [SuppressMessage("Design", "CA1001", Justification = "The registry disposes sessions, not entries.")]
    private sealed class Entry(InferenceSession session, OnnxSessionSettings settings)
    {
        public InferenceSession Session { get; } = session;

        public OnnxSessionSettings Settings { get; } = settings;

        public int Users { get; set; }
    }
}

/// <summary>One user's hold on a shared session; dispose it once, when done with the session.</summary>
public sealed class OnnxModelLease : IDisposable
{
    private readonly OnnxModelRegistry _registry;
    private readonly string _key;
    private int _disposed;

    internal OnnxModelLease(OnnxModelRegistry registry, string key, string modelPath, InferenceSession session)
    {
        _registry = registry;
        _key = key;
        ModelPath = modelPath;
        Session = session;
    }

    /// <summary>The path as the caller gave it, for error messages.</summary>
    public string ModelPath { get; }

    public InferenceSession Session { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _registry.Release(_key);
        }
    }
}
