// Builds the effective settings: embedded defaults, then --config FILE, then STREAMDIARIZE__ variables, then flags.
using System.Reflection;
using Microsoft.Extensions.Configuration;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Server;

namespace StreamDiarize.Cli.Configuration;

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
                throw new OptionsValidationException([$"--config {configFile}: no such file"]);
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
            throw new OptionsValidationException([$"{configFile ?? "configuration"}: not valid JSON ({ex.Message})"]);
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

    /// <summary>Binds and validates the Diarization section; throws <see cref="OptionsValidationException"/> listing every error.</summary>
    public static DiarizationSettings Load(string? configFile, IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var config = Build(configFile, overrides);
        return SettingsBinder.Bind<DiarizationSettings>(config, SectionName);
    }

    /// <summary>Binds and validates the Onnx section (threads, micro-batching) for `--embedder onnx:PATH`.</summary>
    public static StreamDiarize.Onnx.OnnxSettings LoadOnnx(string? configFile, IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var config = Build(configFile, overrides);
        return SettingsBinder.Bind<StreamDiarize.Onnx.OnnxSettings>(config, StreamDiarize.Onnx.OnnxSettings.SectionName);
    }
}
