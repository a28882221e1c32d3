// Builds the effective settings: embedded defaults, then --config FILE, then STREAMDIARIZE__ variables, then flags.
using System.Reflection;
using Microsoft.Extensions.Configuration;
using StreamDiarize.Core.Pipeline;

namespace StreamDiarize.Cli.Configuration;

/// <summary>A configuration problem, with every error found listed.</summary>
public sealed class SettingsException(IReadOnlyList<string> errors)
    : Exception("invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  - " + e)))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

public static class SettingsLoader
{
    public const string SectionName = "Diarization";
    public const string EnvironmentPrefix = "STREAMDIARIZE__";

    /// <summary>The embedded config/appsettings.json, so defaults work from any folder.</summary>
    public static Stream OpenEmbeddedDefaults() =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream("appsettings.json")
        ?? throw new InvalidOperationException("embedded appsettings.json is missing from the build");

    public static IConfigurationRoot Build(string? configFile, IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var builder = new ConfigurationBuilder().AddJsonStream(OpenEmbeddedDefaults());
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new SettingsException([$"--config {configFile}: no such file"]);
            }
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(LastWins(overrides));
        try
        {
            return builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new SettingsException([$"{configFile ?? "configuration"}: not valid JSON ({ex.Message})"]);
        }
    }

    /// <summary>
    /// Flags may name one key twice (`--method seed` and `--set Method=x`, or `--set K=1 --set K=2`): the last one
    /// given wins, as with any later configuration layer. Keys compare case-insensitively, as configuration keys do.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> LastWins(IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in overrides)
        {
            merged[key] = value;
        }
        return merged;
    }

    /// <summary>Binds and validates the Diarization section; throws <see cref="SettingsException"/> listing every error.</summary>
    public static DiarizationSettings Load(string? configFile, IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var config = Build(configFile, overrides);
        return Bind<DiarizationSettings>(config.GetSection(SectionName), SectionName);
    }

    /// <summary>Binds and validates the Onnx section (threads, micro-batching) for `--embedder onnx:PATH`.</summary>
    public static StreamDiarize.Onnx.OnnxSettings LoadOnnx(string? configFile, IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var config = Build(configFile, overrides);
        var settings = Bind<StreamDiarize.Onnx.OnnxSettings>(config.GetSection(StreamDiarize.Onnx.OnnxSettings.SectionName), StreamDiarize.Onnx.OnnxSettings.SectionName);
        var errors = settings.Problems();
        return errors.Count > 0 ? throw new SettingsException(errors) : settings;
    }

    /// <summary>Binds one section strictly: unknown keys and unparsable values are errors, each reported.</summary>
    public static T Bind<T>(IConfigurationSection section, string name) where T : new()
    {
        var errors = new List<string>();
        var result = new T();
        try
        {
            section.Bind(result, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(Describe(ex, name));
        }
        if (errors.Count == 0 && result is DiarizationSettings settings)
        {
            errors.AddRange(settings.GetValidationErrors());
        }
        if (errors.Count > 0)
        {
            throw new SettingsException(errors);
        }
        return result;
    }

    private static string Describe(Exception ex, string section)
    {
        // The binder nests the real cause (e.g. a FormatException for "abc" in an int) inside its own message.
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }
        return $"{section}: {string.Join(" ", messages.Distinct())}";
    }
}
