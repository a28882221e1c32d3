// The `file` command's optional outputs for seeing and hearing a result: --plot, --ref, --compare, --export-speakers.
// Kept apart from FileCommand so that command stays a thin loop; the work is in StreamDiarize.Visual and SpeakerExporter.
using System.CommandLine;
using StreamDiarize.Audio;
using StreamDiarize.Cli.Configuration;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Visual;

namespace StreamDiarize.Cli.Commands;

/// <summary>The four options, created once and added to the command.</summary>
internal sealed class FileVisualOptions
{
    public Option<string?> Plot { get; } = new("--plot")
    {
        Description = "Write a figure (.png or .svg): waveform, speaker lanes, and with --ref the reference and error lanes. " +
                      "With several inputs, one figure per input: <stem>-<id>.<ext> next to PATH.",
    };

    public Option<string?> Reference { get; } = new("--ref")
    {
        Description = "Reference RTTM for the figure's reference and error lanes (and a DER line): a file, or a folder of <id>.rttm.",
    };

    public Option<string[]> Compare { get; } = new("--compare")
    {
        Description = "Stack another run in the figure: METHOD or METHOD:FEATURES, e.g. --compare seed:spectrogram. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> ExportSpeakers { get; } = new("--export-speakers")
    {
        Description = "Write one WAV per speaker (16-bit mono, turns in order, 0.2 s apart) and index.json/index.tsv into DIR/<id>/.",
    };

    public IEnumerable<Option> All => [Plot, Reference, Compare, ExportSpeakers];

    /// <summary>
    /// Reads the options; null when none is used. Every problem is reported at once, before any audio is read:
    /// a bad extension, a missing reference, an unknown compare method or features.
    /// </summary>
    /// <exception cref="OptionsValidationException">What was wrong with each option.</exception>
    public FileVisualOutputs? Bind(ParseResult pr, int inputCount, string? configFile, IReadOnlyList<KeyValuePair<string, string?>> overrides)
    {
        var plot = pr.GetValue(Plot);
        var reference = pr.GetValue(Reference);
        var compare = pr.GetValue(Compare) ?? [];
        var export = pr.GetValue(ExportSpeakers);
        if (plot is null && reference is null && compare.Length == 0 && export is null)
        {
            return null;
        }
        var errors = new List<string>();
        if (plot is not null)
        {
            try
            {
                TimelinePlotter.FormatOf(plot);
            }
            catch (ArgumentException ex)
            {
                errors.Add("--plot: " + UserText.Of(ex));
            }
        }
        if (reference is not null && !File.Exists(reference) && !Directory.Exists(reference))
        {
            errors.Add($"--ref {reference}: no such file or folder; give a reference RTTM, or a folder holding <id>.rttm");
        }
        if (compare.Length > 0 && plot is null)
        {
            errors.Add("--compare only adds panels to a figure: add --plot PATH.png");
        }
        var runs = new List<(string Title, DiarizationSettings Settings)>();
        foreach (var spec in compare)
        {
            var parts = spec.Split(':', 2);
            var extra = new List<KeyValuePair<string, string?>>(overrides);
            if (parts[0].Length == 0)
            {
                errors.Add($"--compare '{spec}': give METHOD or METHOD:FEATURES, e.g. seed or seed:logmel");
                continue;
            }
            extra.Add(new($"{SettingsLoader.SectionName}:Method", parts[0]));
            if (parts.Length == 2)
            {
                if (FeatureTypeName(parts[1]) is not { } featureType)
                {
                    errors.Add($"--compare '{spec}': features '{parts[1]}' are unknown; use logmel, mfcc or spectrogram");
                    continue;
                }
                extra.Add(new($"{SettingsLoader.SectionName}:Seed:Features:FeatureType", featureType));
            }
            try
            {
                runs.Add((spec, SettingsLoader.Load(configFile, extra)));
            }
            catch (OptionsValidationException ex)
            {
                errors.AddRange(ex.Errors.Select(e => $"--compare '{spec}': {e}"));
            }
        }
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(errors);
        }
        return new FileVisualOutputs(plot, inputCount > 1, reference, runs, export);
    }

    /// <summary>The command line's feature names, as the settings spell them (the same table as --features).</summary>
    internal static string? FeatureTypeName(string name) => name.ToLowerInvariant() switch
    {
        "logmel" => "LogMelSpectrogram",
        "mfcc" => "Mfcc",
        "spectrogram" => "Spectrogram",
        _ => null,
    };
}

/// <summary>Writes the figure, the per-speaker audio and the DER line for one diarized clip.</summary>
internal sealed class FileVisualOutputs(
    string? plotPath,
    bool onePlotPerInput,
    string? referencePath,
    IReadOnlyList<(string Title, DiarizationSettings Settings)> compareRuns,
    string? exportDir)
{
    /// <summary>`score`'s default collar, which the DER line of --ref uses too.</summary>
    public const double ScoreCollarSeconds = 0.25;

    /// <summary>A panel title naming the configuration, e.g. <c>seed · logmel</c>.</summary>
    public static string RunTitle(DiarizationSettings settings) => settings.Method switch
    {
        DiarizationMethod.Seed => "seed · " + settings.Seed.Features.FeatureType switch
        {
            FeatureType.LogMelSpectrogram => "logmel",
            FeatureType.Mfcc => "mfcc",
            FeatureType.Spectrogram => "spectrogram",
            var other => other.ToString(),
        },
        var method => method.ToString().ToLowerInvariant(),
    };

    /// <summary>Where the figure for <paramref name="fileId"/> goes: PATH itself, or PATH's stem plus the id with several inputs.</summary>
    public static string PlotPathFor(string path, string fileId, bool onePerInput) =>
        onePerInput
            ? Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}-{fileId}{Path.GetExtension(path)}")
            : path;

    /// <summary>
    /// Does every requested output for <paramref name="clip"/>; returns 0, or 1 after printing what failed.
    /// <paramref name="diarize"/> runs another configuration on the same clip, for --compare.
    /// </summary>
    public int Write(AudioClip clip, IReadOnlyList<SpeakerSegment> segments, string runTitle, Func<DiarizationSettings, List<SpeakerSegment>> diarize)
    {
        try
        {
            var reference = referencePath is null ? null : LoadReference(referencePath, clip.Id);
            if (reference is not null)
            {
                // The collar of `score` by default, said in the line, and the no-collar figures the plot's error lanes show.
                var scored = DerScorer.Score(clip.Id, reference, segments, new DerOptions { CollarSeconds = ScoreCollarSeconds });
                var exact = DerScorer.Score(clip.Id, reference, segments);
                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{clip.Id}: DER {scored.Der:P1} against {referencePath} at collar {ScoreCollarSeconds} s, as `score` by default (miss {scored.MissSeconds:F1} s, false alarm {scored.FalseAlarmSeconds:F1} s, confusion {scored.ConfusionSeconds:F1} s); " +
                    $"without collar {exact.Der:P1} (miss {exact.MissSeconds:F1} s, false alarm {exact.FalseAlarmSeconds:F1} s, confusion {exact.ConfusionSeconds:F1} s, as the figure's error lanes)"));
            }
            if (plotPath is not null)
            {
                var runs = new List<TimelineRun> { new(runTitle, segments) };
                runs.AddRange(compareRuns.Select(r => new TimelineRun("--compare " + r.Title, diarize(r.Settings))));
                var path = PlotPathFor(plotPath, clip.Id, onePlotPerInput);
                TimelinePlotter.Save(new TimelineFigure(clip, reference, runs), path);
                Console.WriteLine($"{clip.Id}: figure -> {path}");
            }
            if (exportDir is not null)
            {
                var dir = Path.Combine(exportDir, clip.Id);
                var index = SpeakerExporter.Export(clip, segments, dir);
                Console.WriteLine($"{clip.Id}: {index.Speakers.Count} speaker file(s) -> {dir}");
            }
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {clip.Id}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The reference turns of <paramref name="fileId"/>, from an RTTM file or a folder of them.</summary>
    public static IReadOnlyList<SpeakerSegment> LoadReference(string path, string fileId)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, fileId + ".rttm") : path;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"no reference for {fileId}: {file} does not exist; name it <id>.rttm or pass the file with --ref", file);
        }
        var byFile = Rttm.ReadFile(file);
        return byFile.TryGetValue(fileId, out var turns)
            ? turns
            : throw new InvalidDataException(
                $"{file} has no turns for file id '{fileId}' (it has: {string.Join(", ", byFile.Keys)}); the id is the audio file's name without extension");
    }
}
