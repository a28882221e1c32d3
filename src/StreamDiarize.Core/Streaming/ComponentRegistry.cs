// Where a live session's parts are chosen by name ("features", "energy", "onnx:PATH", ...): one parser, one error message.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Streaming;

/// <summary>A component named as text: <c>KIND</c>, or <c>KIND:ARGUMENT</c> (for example <c>onnx:/models/vad.onnx</c>).</summary>
public readonly record struct ComponentSpec(string Kind, string? Argument)
{
    /// <summary>The spec in <paramref name="text"/>; null when there is no kind before the first ':'.</summary>
    public static ComponentSpec? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        var spec = colon < 0 ? new ComponentSpec(text.Trim(), null) : new ComponentSpec(text[..colon].Trim(), text[(colon + 1)..]);
        return spec.Kind.Length == 0 ? null : spec;
    }

    public override string ToString() => Argument is null ? Kind : Kind + ":" + Argument;
}

/// <summary>The kinds one role (embedder, vad, clusterer) can be given, each with how to make it for a session.</summary>
/// <param name="role">The setting's name in errors, as the CLI and the proto spell it.</param>
public sealed class ComponentKinds<T>(string role)
{
    private readonly List<Kind> _kinds = [];

    public string Role => role;

    /// <summary>The kinds as a user writes them: "'features' or 'onnx:PATH'".</summary>
    public string Usage
    {
        get
        {
            var names = _kinds.Select(k => "'" + k.Usage + "'").ToList();
            return names.Count <= 1 ? string.Concat(names) : string.Join(", ", names[..^1]) + " or " + names[^1];
        }
    }

    /// <summary>A kind written alone (<c>features</c>).</summary>
    public void Add(string kind, Func<SessionOptions, T> make) => Put(new Kind(kind, null, kind, (_, session) => make(session)));

    /// <summary>A kind that takes an argument (<c>onnx:PATH</c>, with <paramref name="argumentName"/> PATH).</summary>
    public void Add(string kind, string argumentName, Func<string, SessionOptions, T> make) =>
        Put(new Kind(kind, argumentName, kind + ":" + argumentName, (argument, session) => make(argument!, session)));

    /// <summary>What is wrong with <paramref name="text"/> as a choice for this role; null when it names a kind correctly.</summary>
    public string? Problem(string? text)
    {
        var spec = ComponentSpec.Parse(text);
        var kind = spec is { } s ? _kinds.Find(k => k.Name == s.Kind) : null;
        bool fits = kind is not null && (kind.ArgumentName is null ? spec!.Value.Argument is null : !string.IsNullOrWhiteSpace(spec!.Value.Argument));
        return fits ? null : $"{role} '{text}' is invalid: use {Usage}";
    }

    /// <summary>The component <paramref name="text"/> names, made for <paramref name="session"/>.</summary>
    /// <exception cref="OptionsValidationException">The text names no kind of this role.</exception>
    public T Create(string text, SessionOptions session)
    {
        if (Problem(text) is { } problem)
        {
            throw new OptionsValidationException([problem]);
        }
        var spec = ComponentSpec.Parse(text)!.Value;
        return _kinds.Find(k => k.Name == spec.Kind)!.Make(spec.Argument, session);
    }

    private void Put(Kind kind)
    {
        _kinds.RemoveAll(k => k.Name == kind.Name);
        _kinds.Add(kind);
    }

    private sealed record Kind(string Name, string? ArgumentName, string Usage, Func<string?, SessionOptions, T> Make);
}

/// <summary>
/// The kinds of embedder, speech detector and clusterer a session factory can build. A new kind is one
/// <c>Add</c> call (<see cref="DefaultSessionFactory"/> registers the built-in ones, the ONNX factory adds
/// <c>onnx:PATH</c>); nothing else in the live path names them.
/// </summary>
public sealed class ComponentRegistry
{
    /// <summary>Null from a kind means the built-in MFCC statistics.</summary>
    public ComponentKinds<IWindowEmbedder?> Embedders { get; } = new("embedder");

    public ComponentKinds<IStreamingSpeechDetector> SpeechDetectors { get; } = new("vad");

    public ComponentKinds<IWeightedClusterer> Clusterers { get; } = new("clusterer");

    /// <summary>Every choice of <paramref name="options"/> that names no registered kind, role first.</summary>
    public IReadOnlyList<string> Problems(SessionOptions options) => [.. SettingErrors(options).Select(e => e.Message)];

    /// <summary>As <see cref="Problems"/>, keyed by the <see cref="SessionOptions"/> property each is about.</summary>
    public IReadOnlyList<SettingError> SettingErrors(SessionOptions options)
    {
        var problems = new List<SettingError>();
        foreach (var (key, problem) in new[]
        {
            (nameof(SessionOptions.Embedder), Embedders.Problem(options.Embedder)),
            (nameof(SessionOptions.SpeechDetector), SpeechDetectors.Problem(options.SpeechDetector)),
            (nameof(SessionOptions.Clusterer), Clusterers.Problem(options.Clusterer)),
        })
        {
            if (problem is not null)
            {
                problems.Add(new SettingError(key, problem));
            }
        }
        return problems;
    }
}

/// <summary>A session factory whose choices of components can be checked before a session is built (the server does, per field).</summary>
public interface IComponentChoices
{
    ComponentRegistry Registry { get; }
}
