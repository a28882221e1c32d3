// `streamdiarize score`: DER and JER of hypothesis RTTMs against reference RTTMs, as a table or JSON.
// Reading files and printing live here; the scoring itself is StreamDiarize.Core.Scoring.
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Cli.Commands;

internal static class ScoreCommand
{
    /// <summary>Exit code for unreadable input: a bad path or a malformed RTTM.</summary>
    public const int InputError = 2;

    public static Command Create()
    {
        var reference = new Option<string>("--ref")
        {
            Description = "Reference RTTM file, or a folder whose *.rttm files are all read. Files are matched by the RTTM file-id field.",
            Required = true,
        };
        var hypothesis = new Option<string>("--hyp")
        {
            Description = "Hypothesis RTTM file, or a folder whose *.rttm files are all read.",
            Required = true,
        };
        var collar = new Option<double>("--collar")
        {
            Description = "Seconds left unscored on EACH side of every reference segment boundary (md-eval -c; pyannote's collar=0.5 is 0.25 here).",
            DefaultValueFactory = _ => FileVisualOutputs.ScoreCollarSeconds,
        };
        var skipOverlap = new Option<bool>("--skip-overlap")
        {
            Description = "Do not score the time where two or more reference speakers talk at once.",
        };
        var speechOnly = new Option<bool>("--speech-only")
        {
            Description = "Score speech detection alone: every speaker of both sides becomes one, so miss and false alarm are against the union of reference speech and confusion is 0.",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print the per-file scores and the total as JSON instead of a table.",
        };

        var command = new Command("score", "Score hypothesis diarization against a reference: DER (md-eval conventions) and JER, per file and in total.");
        command.Options.Add(reference);
        command.Options.Add(hypothesis);
        command.Options.Add(collar);
        command.Options.Add(skipOverlap);
        command.Options.Add(speechOnly);
        command.Options.Add(json);
        command.SetAction(pr => Run(
            pr.GetValue(reference)!,
            pr.GetValue(hypothesis)!,
            new DerOptions { CollarSeconds = pr.GetValue(collar), SkipOverlap = pr.GetValue(skipOverlap) },
            pr.GetValue(json),
            pr.InvocationConfiguration.Output,
            pr.InvocationConfiguration.Error,
            pr.GetValue(speechOnly)));
        return command;
    }

    /// <summary>Scores and prints; returns 0, or <see cref="InputError"/> after saying on <paramref name="error"/> what was wrong.</summary>
    public static int Run(string referencePath, string hypothesisPath, DerOptions options, bool asJson, TextWriter output, TextWriter error, bool speechOnly = false)
    {
        IReadOnlyDictionary<string, IReadOnlyList<SpeakerSegment>> references;
        IReadOnlyDictionary<string, IReadOnlyList<SpeakerSegment>> hypotheses;
        try
        {
            options.Validate();
            references = Load(referencePath, "--ref");
            hypotheses = Load(hypothesisPath, "--hyp");
        }
        catch (Exception ex) when (ex is RttmFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"error: {UserText.Of(ex)}");
            return InputError;
        }

        var results = new List<DerResult>();
        foreach (var fileId in references.Keys.Order(StringComparer.Ordinal))
        {
            if (!hypotheses.TryGetValue(fileId, out var hyp))
            {
                error.WriteLine($"warning: {fileId} has no hypothesis; scored as all missed");
                hyp = [];
            }
            var refs = references[fileId];
            if (speechOnly)
            {
                refs = AsSpeech(refs);
                hyp = AsSpeech(hyp);
            }
            results.Add(DerScorer.Score(fileId, refs, hyp, options));
        }
        foreach (var fileId in hypotheses.Keys.Order(StringComparer.Ordinal))
        {
            if (!references.ContainsKey(fileId))
            {
                error.WriteLine($"warning: {fileId} is in the hypothesis but has no reference; ignored");
            }
        }

        var total = DerTotal.Of(results);
        output.Write(asJson ? FormatJson(results, total, options) : FormatTable(results, total));
        return 0;
    }

    /// <summary>The same segments, all spoken by one speaker "speech" (the scorer then merges overlaps into their union).</summary>
    private static IReadOnlyList<SpeakerSegment> AsSpeech(IReadOnlyList<SpeakerSegment> segments) =>
        segments.Select(s => s with { Speaker = "speech" }).ToList();

    /// <summary>All SPEAKER lines of a file, or of every *.rttm in a folder, by file id.</summary>
    private static Dictionary<string, IReadOnlyList<SpeakerSegment>> Load(string path, string optionName)
    {
        string[] files;
        if (Directory.Exists(path))
        {
            files = Directory.GetFiles(path, "*.rttm").Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0)
            {
                throw new IOException($"{optionName} {path}: the folder holds no *.rttm files");
            }
        }
        else if (File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new IOException($"{optionName} {path}: no such file or folder");
        }

        var all = new Dictionary<string, IReadOnlyList<SpeakerSegment>>(StringComparer.Ordinal);
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var (fileId, segments) in Rttm.ReadFile(file))
            {
                // Two RTTMs claiming one recording is almost always a copy or naming mistake; scoring either would hide it.
                if (!all.TryAdd(fileId, segments))
                {
                    throw new IOException($"{optionName}: file id '{fileId}' appears in both {origin[fileId]} and {file}; give each recording one RTTM");
                }
                origin[fileId] = file;
            }
        }
        return all;
    }

    private static string FormatTable(IReadOnlyList<DerResult> results, DerTotal total)
    {
        var width = Math.Max(5, results.Count == 0 ? 0 : results.Max(r => r.FileId.Length));
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{"file".PadRight(width)}  {"scored s",9}  {"miss %",7}  {"FA %",7}  {"conf %",7}  {"DER %",7}  {"JER %",7}");
        foreach (var r in results)
        {
            text.AppendLine(Row(r.FileId, width, r.ScoredSeconds, r.MissSeconds, r.FalseAlarmSeconds, r.ConfusionSeconds, r.Der, r.Jer));
        }
        text.AppendLine(Row("TOTAL", width, total.ScoredSeconds, total.MissSeconds, total.FalseAlarmSeconds, total.ConfusionSeconds, total.Der, total.Jer));
        return text.ToString();
    }

    private static string Row(string name, int width, double scored, double miss, double falseAlarm, double confusion, double der, double jer) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{name.PadRight(width)}  {scored,9:F2}  {Percent(miss, scored),7:F2}  {Percent(falseAlarm, scored),7:F2}  {Percent(confusion, scored),7:F2}  {100 * der,7:F2}  {100 * jer,7:F2}");

    // Each error kind as a share of scored time, so that miss + FA + conf = DER; with no scored time, DerScorer's rule.
    private static double Percent(double seconds, double scored) => 100 * DerScorer.ErrorRate(seconds, scored);

    private static string FormatJson(IReadOnlyList<DerResult> results, DerTotal total, DerOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("collarSeconds", options.CollarSeconds);
            json.WriteBoolean("skipOverlap", options.SkipOverlap);
            json.WriteStartArray("files");
            foreach (var r in results)
            {
                json.WriteStartObject();
                json.WriteString("file", r.FileId);
                WriteFigures(json, r.ScoredSeconds, r.MissSeconds, r.FalseAlarmSeconds, r.ConfusionSeconds, r.Der, r.Jer);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("total");
            json.WriteNumber("fileCount", total.FileCount);
            json.WriteNumber("referenceSpeakerCount", total.ReferenceSpeakerCount);
            WriteFigures(json, total.ScoredSeconds, total.MissSeconds, total.FalseAlarmSeconds, total.ConfusionSeconds, total.Der, total.Jer);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    private static void WriteFigures(Utf8JsonWriter json, double scored, double miss, double falseAlarm, double confusion, double der, double jer)
    {
        json.WriteNumber("scoredSeconds", scored);
        json.WriteNumber("missSeconds", miss);
        json.WriteNumber("falseAlarmSeconds", falseAlarm);
        json.WriteNumber("confusionSeconds", confusion);
        json.WriteNumber("der", der);
        json.WriteNumber("jer", jer);
    }
}
