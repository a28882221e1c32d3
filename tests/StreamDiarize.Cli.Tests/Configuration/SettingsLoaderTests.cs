// The configuration layers: embedded defaults equal the code's, later layers win, and every bad value is reported at once.
using System.Text.Json;
using System.Text.Json.Serialization;
using StreamDiarize.Cli.Configuration;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Configuration;

public sealed class SettingsLoaderTests
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() }, IgnoreReadOnlyProperties = true };

    private static string Canonical(DiarizationSettings s) => JsonSerializer.Serialize(s, Json);

    [Fact]
    public void The_embedded_appsettings_carry_exactly_the_code_defaults()
    {
        var loaded = SettingsLoader.Load(null, []);
        Assert.Equal(Canonical(new DiarizationSettings()), Canonical(loaded));
    }

    [Fact]
    public void The_config_folder_file_is_the_embedded_one()
    {
        var onDisk = File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "config", "appsettings.json"));
        using var reader = new StreamReader(SettingsLoader.OpenEmbeddedDefaults());
        Assert.Equal(onDisk, reader.ReadToEnd());
    }

    [Fact]
    public void A_config_file_overrides_the_defaults_and_flags_override_the_file()
    {
        var dir = RepoPaths.NewTempDir();
        var file = Path.Combine(dir, "custom.json");
        File.WriteAllText(file, """{ "Diarization": { "Method": "Seed", "Seed": { "MinSegmentSeconds": 0.3 } } }""");
        var fromFile = SettingsLoader.Load(file, []);
        Assert.Equal(DiarizationMethod.Seed, fromFile.Method);
        Assert.Equal(0.3, fromFile.Seed.MinSegmentSeconds);
        Assert.Equal(50, fromFile.Seed.Features.FrameMs);

        var flagged = SettingsLoader.Load(file, [new("Diarization:Seed:MinSegmentSeconds", "0.5")]);
        Assert.Equal(0.5, flagged.Seed.MinSegmentSeconds);
    }

    [Fact]
    public void A_key_given_twice_takes_the_last_value()
    {
        var loaded = SettingsLoader.Load(null, [new("Diarization:Seed:MinSegmentSeconds", "0.2"), new("diarization:seed:minsegmentseconds", "0.4")]);
        Assert.Equal(0.4, loaded.Seed.MinSegmentSeconds);
    }

    [Fact]
    public void Environment_variables_override_the_file()
    {
        Environment.SetEnvironmentVariable("STREAMDIARIZE__Diarization__Default__Clustering__DistanceThreshold", "0.9");
        try
        {
            Assert.Equal(0.9, SettingsLoader.Load(null, []).Default.Clustering.DistanceThreshold);
        }
        finally
        {
            Environment.SetEnvironmentVariable("STREAMDIARIZE__Diarization__Default__Clustering__DistanceThreshold", null);
        }
    }

    [Fact]
    public void Out_of_range_values_are_all_listed()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => SettingsLoader.Load(null,
        [
            new("Diarization:Seed:Features:FrameMs", "0"),
            new("Diarization:Seed:Clustering:PPercentile", "7"),
            new("Diarization:Default:Clustering:DistanceThreshold", "-1"),
            new("Diarization:Streaming:NewVoiceMergeLambda", "-2"),
        ]));
        Assert.True(ex.Errors.Count >= 4, string.Join("\n", ex.Errors));
        Assert.Contains(ex.Errors, e => e.Contains("NewVoiceMergeLambda -2 is invalid", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("FrameMs", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("PPercentile", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("DistanceThreshold", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_key_is_an_error_naming_it()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => SettingsLoader.Load(null, [new("Diarization:Seed:FrameSize", "3")]));
        Assert.Contains("FrameSize", ex.Message);
    }

    [Fact]
    public void An_unparsable_value_is_an_error_naming_the_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => SettingsLoader.Load(null, [new("Diarization:Seed:Features:FrameMs", "fifty")]));
        Assert.Contains("FrameMs", ex.Message);
    }

    [Fact]
    public void A_missing_config_file_is_named()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => SettingsLoader.Load("/nonexistent/streamdiarize.json", []));
        Assert.Contains("/nonexistent/streamdiarize.json", ex.Message);
    }
}
