// The models a client may choose, by name: the operator declares each one (Server:Models:<name>) with its file and kind,
// and a session names it. Paths never come from clients, so no client string reaches the file system.
using System.Text.RegularExpressions;

namespace StreamDiarize.Server.Models;

/// <summary>One declared model as configuration binds it (Server:Models:NAME:Path and :Kind).</summary>
public sealed class ModelDeclaration
{
    /// <summary>The .onnx file on the server.</summary>
    public string Path { get; set; } = "";

    /// <summary>embedder (a speaker-embedding model a session can choose) or vad (a Silero-style speech detector a session can choose).</summary>
    public string Kind { get; set; } = ModelCatalog.EmbedderKind;
}

/// <summary>The declared models by name; resolves what a session asks for into what the session factory opens.</summary>
public sealed partial class ModelCatalog
{
    public const string EmbedderKind = "embedder";
    public const string VadKind = "vad";
    public const string Features = "features";
    public const string Energy = "energy";
    private const string OnnxPrefix = "onnx:";

    private readonly Dictionary<string, ModelDeclaration> _models;

    public ModelCatalog(IReadOnlyDictionary<string, ModelDeclaration> models)
    {
        _models = new Dictionary<string, ModelDeclaration>(models, StringComparer.Ordinal);
    }

    /// <summary>The names a client may give as embedder, for error messages and docs.</summary>
    public IReadOnlyList<string> EmbedderNames => Names(EmbedderKind);

    /// <summary>The names a client may give as vad.</summary>
    public IReadOnlyList<string> VadNames => Names(VadKind);

    /// <summary>The declared embedders' full paths by name (opened at start so a broken file stops the daemon, not a session).</summary>
    public IEnumerable<KeyValuePair<string, string>> EmbedderPaths =>
        _models.Where(m => IsEmbedder(m.Value)).Select(m => KeyValuePair.Create(m.Key, System.IO.Path.GetFullPath(m.Value.Path)));

    /// <summary>The declared vad models' full paths by name (checked at start like the embedders).</summary>
    public IEnumerable<KeyValuePair<string, string>> VadPaths =>
        _models.Where(m => IsKind(m.Value, VadKind)).Select(m => KeyValuePair.Create(m.Key, System.IO.Path.GetFullPath(m.Value.Path)));

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    /// <summary>
    /// What a client's embedder string means: "features", a declared embedder's name (or "onnx:NAME" as older clients
    /// wrote it). The result is the factory's spelling ("features" or "onnx:FULLPATH"), or null with <paramref name="error"/>.
    /// The value itself is never used as a path and a path-like value is not echoed, so the answer is the same whether
    /// or not such a file exists.
    /// </summary>
    public string? ResolveClientEmbedder(string requested, out string? error) => ResolveClient(Embedder, requested, out error);

    /// <summary>As <see cref="ResolveClientEmbedder"/> for the speech detector: "energy" or a declared vad model's name.</summary>
    public string? ResolveClientVad(string requested, out string? error) => ResolveClient(Vad, requested, out error);

    /// <summary>The server's own default (Server:Session:Embedder): trusted configuration, so "onnx:PATH" stays allowed there.</summary>
    public string ResolveDefaultEmbedder(string configured) => ResolveDefault(Embedder, configured);

    /// <summary>The server's own default speech detector (Server:Session:Vad), trusted like <see cref="ResolveDefaultEmbedder"/>.</summary>
    public string ResolveDefaultVad(string configured) => ResolveDefault(Vad, configured);

    private string? ResolveClient(Role role, string requested, out string? error)
    {
        error = null;
        if (requested == role.BuiltIn)
        {
            return role.BuiltIn;
        }
        string name = requested.StartsWith(OnnxPrefix, StringComparison.Ordinal) ? requested[OnnxPrefix.Length..] : requested;
        if (_models.TryGetValue(name, out var model))
        {
            if (IsKind(model, role.Kind))
            {
                return OnnxPrefix + System.IO.Path.GetFullPath(model.Path);
            }
            string article = model.Kind.Length > 0 && "aeiouAEIOU".Contains(model.Kind[0], StringComparison.Ordinal) ? "an" : "a";
            error = $"{role.Field} '{name}' is {article} {model.Kind} model, not {role.Noun}: choose {Choices(role)}";
            return null;
        }
        error = requested.StartsWith(OnnxPrefix, StringComparison.Ordinal) || !NamePattern().IsMatch(requested)
            ? $"{role.Field}: file paths are not accepted from clients (models are declared by the server's operator in Server:Models): choose {Choices(role)}"
            : $"{role.Field} '{requested}' is not a model this server offers: choose {Choices(role)}";
        return null;
    }

    private string ResolveDefault(Role role, string configured) =>
        configured.StartsWith(OnnxPrefix, StringComparison.Ordinal) && !_models.ContainsKey(configured[OnnxPrefix.Length..])
            ? configured
            : ResolveClient(role, configured, out _) ?? configured;

    private string Choices(Role role)
    {
        var names = Names(role.Kind);
        return names.Count == 0
            ? $"'{role.BuiltIn}' (this server declares no {(_models.Count == 0 ? "" : role.Kind + " ")}models)"
            : $"'{role.BuiltIn}' or one of " + string.Join(", ", names.Select(n => $"'{n}'"));
    }

    private IReadOnlyList<string> Names(string kind) => [.. _models.Where(m => IsKind(m.Value, kind)).Select(m => m.Key).Order(StringComparer.Ordinal)];

    private static bool IsKind(ModelDeclaration m, string kind) => string.Equals(m.Kind, kind, StringComparison.OrdinalIgnoreCase);

    /// <summary>A setting a client fills with a model name: its proto field, built-in choice and the model kind it takes.</summary>
    private sealed record Role(string Field, string BuiltIn, string Kind, string Noun);

    private static readonly Role Embedder = new("embedder", Features, EmbedderKind, "a speaker embedder");
    private static readonly Role Vad = new("vad", Energy, VadKind, "a speech detector");

    private static bool IsEmbedder(ModelDeclaration m) => IsKind(m, EmbedderKind);

    /// <summary>Every problem with the declarations and the default embedder and vad, each naming its key. Checks the operator's files exist.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyDictionary<string, ModelDeclaration> models, string defaultEmbedder, string defaultVad = Energy)
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
        if (!defaultVad.StartsWith(OnnxPrefix, StringComparison.Ordinal) && catalog.ResolveClientVad(defaultVad, out _) is null)
        {
            errors.Add($"Server:Session:Vad '{defaultVad}' is not 'energy' or a declared vad model: declare it under Server:Models or use energy");
        }
        return errors;
    }
}
