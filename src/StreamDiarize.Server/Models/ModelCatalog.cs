// The models a client may choose, by name: the operator declares each one (Server:Models:<name>) with its file and kind,
// and a session names it. Paths never come from clients, so no client string reaches the file system.
using System.Text.RegularExpressions;

namespace StreamDiarize.Server.Models;

/// <summary>One declared model as configuration binds it (Server:Models:NAME:Path and :Kind).</summary>
public sealed class ModelDeclaration
{
    /// <summary>The .onnx file on the server.</summary>
    public string Path { get; set; } = "";

    /// <summary>embedder (a speaker-embedding model a session can choose) or vad (a speech detector, for offline use).</summary>
    public string Kind { get; set; } = ModelCatalog.EmbedderKind;
}

/// <summary>The declared models by name; resolves what a session asks for into what the session factory opens.</summary>
public sealed partial class ModelCatalog
{
    public const string EmbedderKind = "embedder";
    public const string VadKind = "vad";
    public const string Features = "features";
    private const string OnnxPrefix = "onnx:";

    private readonly Dictionary<string, ModelDeclaration> _models;

    public ModelCatalog(IReadOnlyDictionary<string, ModelDeclaration> models)
    {
        _models = new Dictionary<string, ModelDeclaration>(models, StringComparer.Ordinal);
    }

    /// <summary>The names a client may give as embedder, for error messages and docs.</summary>
    public IReadOnlyList<string> EmbedderNames => [.. _models.Where(m => IsEmbedder(m.Value)).Select(m => m.Key).Order(StringComparer.Ordinal)];

    /// <summary>The declared embedders' full paths by name (opened at start so a broken file stops the daemon, not a session).</summary>
    public IEnumerable<KeyValuePair<string, string>> EmbedderPaths =>
        _models.Where(m => IsEmbedder(m.Value)).Select(m => KeyValuePair.Create(m.Key, System.IO.Path.GetFullPath(m.Value.Path)));

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    /// <summary>
    /// What a client's embedder string means: "features", a declared embedder's name (or "onnx:NAME" as older clients
    /// wrote it). The result is the factory's spelling ("features" or "onnx:FULLPATH"), or null with <paramref name="error"/>.
    /// The value itself is never used as a path and a path-like value is not echoed, so the answer is the same whether
    /// or not such a file exists.
    /// </summary>
    public string? ResolveClientEmbedder(string requested, out string? error)
    {
        error = null;
        if (requested == Features)
        {
            return Features;
        }
        string name = requested.StartsWith(OnnxPrefix, StringComparison.Ordinal) ? requested[OnnxPrefix.Length..] : requested;
        if (_models.TryGetValue(name, out var model))
        {
            if (IsEmbedder(model))
            {
                return OnnxPrefix + System.IO.Path.GetFullPath(model.Path);
            }
            error = $"embedder '{name}' is a {model.Kind} model, not a speaker embedder: choose {Choices()}";
            return null;
        }
        error = requested.StartsWith(OnnxPrefix, StringComparison.Ordinal) || !NamePattern().IsMatch(requested)
            ? $"embedder: file paths are not accepted from clients (models are declared by the server's operator in Server:Models): choose {Choices()}"
            : $"embedder '{requested}' is not a model this server offers: choose {Choices()}";
        return null;
    }

    /// <summary>The server's own default (Server:Session:Embedder): trusted configuration, so "onnx:PATH" stays allowed there.</summary>
    public string ResolveDefaultEmbedder(string configured) =>
        configured.StartsWith(OnnxPrefix, StringComparison.Ordinal) && !_models.ContainsKey(configured[OnnxPrefix.Length..])
            ? configured
            : ResolveClientEmbedder(configured, out _) ?? configured;

    private string Choices()
    {
        var names = EmbedderNames;
        return names.Count == 0
            ? "'features' (this server declares no models)"
            : "'features' or one of " + string.Join(", ", names.Select(n => $"'{n}'"));
    }

    private static bool IsEmbedder(ModelDeclaration m) => string.Equals(m.Kind, EmbedderKind, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with the declarations and the default embedder, each naming its key. Checks the operator's files exist.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyDictionary<string, ModelDeclaration> models, string defaultEmbedder)
    {
        var errors = new List<string>();
        foreach (var (name, model) in models)
        {
            if (!NamePattern().IsMatch(name) || name == Features)
            {
                errors.Add($"Server:Models:{name} is not a valid model name: use 1 to 64 letters, digits, '.', '-' or '_' (not 'features')");
            }
            if (!string.Equals(model.Kind, EmbedderKind, StringComparison.OrdinalIgnoreCase) && !string.Equals(model.Kind, VadKind, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"Server:Models:{name}:Kind '{model.Kind}' is invalid: use embedder or vad");
            }
            if (string.IsNullOrWhiteSpace(model.Path))
            {
                errors.Add($"Server:Models:{name}:Path is empty: give the path of the .onnx file on this machine");
            }
            else if (!File.Exists(model.Path))
            {
                errors.Add($"Server:Models:{name}:Path '{model.Path}' is not a file: give the path of the .onnx file on this machine");
            }
        }
        var catalog = new ModelCatalog(models);
        if (!defaultEmbedder.StartsWith(OnnxPrefix, StringComparison.Ordinal) && catalog.ResolveClientEmbedder(defaultEmbedder, out _) is null)
        {
            errors.Add($"Server:Session:Embedder '{defaultEmbedder}' is not 'features' or a declared embedder: declare it under Server:Models or use features");
        }
        return errors;
    }
}
