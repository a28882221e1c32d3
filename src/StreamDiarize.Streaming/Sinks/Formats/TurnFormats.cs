// The turn file formats people use (RTTM, JSON, SRT, WebVTT, CSV, Audacity labels): parsed from --format, written in one place.
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsvHelper;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Streaming.Sinks.Formats;

public enum TurnFormat
{
    Rttm,
    Json,
    Srt,
    Vtt,
    Csv,
    Audacity,
}

/// <summary>
/// <c>--format rttm,json,srt,vtt,csv,audacity</c>: each format's file name and writer. Turns are written in start
/// order; times are seconds in the invariant culture (subtitles: HH:MM:SS,mmm or HH:MM:SS.mmm). Text is UTF-8 without BOM.
/// </summary>
public static class TurnFormats
{
    public const string Default = "rttm,json";

    public static IReadOnlyList<string> Names { get; } = ["rttm", "json", "srt", "vtt", "csv", "audacity"];

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Parses a comma-separated list (case-insensitive, duplicates ignored, order kept).</summary>
    /// <exception cref="OptionsValidationException">An empty list or an unknown name, with the names allowed.</exception>
    public static IReadOnlyList<TurnFormat> Parse(string spec)
    {
        var formats = new List<TurnFormat>();
        var errors = new List<string>();
        foreach (var part in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int index = IndexOf(part);
            if (index < 0)
            {
                errors.Add($"--format {part} is unknown: use one or several of {string.Join(",", Names)}, e.g. --format rttm,srt");
            }
            else if (!formats.Contains((TurnFormat)index))
            {
                formats.Add((TurnFormat)index);
            }
        }
        if (formats.Count == 0 && errors.Count == 0)
        {
            errors.Add($"--format '{spec}' names no format: use one or several of {string.Join(",", Names)}");
        }
        OptionsValidationException.ThrowIfAny(errors);
        return formats;
    }

    private static int IndexOf(string name)
    {
        for (int i = 0; i < Names.Count; i++)
        {
            if (Names[i].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The file name of <paramref name="format"/> for <paramref name="fileId"/>: id.rttm, id.json, id.srt, id.vtt, id.csv, id.labels.txt.</summary>
    public static string FileName(string fileId, TurnFormat format) => format switch
    {
        TurnFormat.Audacity => fileId + ".labels.txt",
        _ => fileId + "." + Names[(int)format],
    };

    /// <summary>Writes every format into <paramref name="directory"/> (created if missing); returns the paths in the order given.</summary>
    public static IReadOnlyList<string> WriteFiles(string directory, TurnDocument document, IReadOnlyList<TurnFormat> formats)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>(formats.Count);
        foreach (var format in formats)
        {
            var path = Path.Combine(directory, FileName(document.FileId, format));
            using (var writer = new StreamWriter(path, append: false, Utf8NoBom))
            {
                Write(format, writer, document);
            }
            paths.Add(path);
        }
        return paths;
    }

    public static void Write(TurnFormat format, TextWriter writer, TurnDocument document)
    {
        var turns = document.Turns.OrderBy(t => t.StartSeconds).ThenBy(t => t.EndSeconds).ToList();
        switch (format)
        {
            case TurnFormat.Rttm:
                Rttm.Write(writer, document.FileId, turns);
                break;
            case TurnFormat.Json:
                WriteJson(writer, document, turns);
                break;
            case TurnFormat.Srt:
                WriteSubtitles(writer, turns, vtt: false);
                break;
            case TurnFormat.Vtt:
                WriteSubtitles(writer, turns, vtt: true);
                break;
            case TurnFormat.Csv:
                WriteCsv(writer, document.FileId, turns);
                break;
            case TurnFormat.Audacity:
                // Audacity's label track text: start TAB end TAB label, seconds with six decimals (File > Import > Labels).
                foreach (var t in turns)
                {
                    writer.Write(string.Create(CultureInfo.InvariantCulture, $"{t.StartSeconds:F6}\t{t.EndSeconds:F6}\t{t.Speaker}\n"));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown turn format");
        }
    }

    /// <summary>
    /// <c>{"file", "durationSeconds", "method", "version", "speakerCount", "speakerCountEstimated", "speakers": [...], "segments": [...]}</c>;
    /// <c>file</c> and <c>segments</c> are what <see cref="SegmentJson.Deserialize"/> reads.
    /// </summary>
    private static void WriteJson(TextWriter writer, TurnDocument document, IReadOnlyList<SpeakerSegment> turns)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var speakers = document.Speakers();
            json.WriteStartObject();
            json.WriteString("file", document.FileId);
            json.WriteNumber("durationSeconds", Math.Round(document.DurationSeconds, 3));
            json.WriteString("method", document.Method);
            json.WriteString("version", document.Version);
            json.WriteNumber("speakerCount", speakers.Count);
            json.WriteBoolean("speakerCountEstimated", document.SpeakerCountEstimated);
            json.WriteStartArray("speakers");
            foreach (var (speaker, seconds, count) in speakers)
            {
                json.WriteStartObject();
                json.WriteString("speaker", speaker);
                json.WriteNumber("speechSeconds", Math.Round(seconds, 3));
                json.WriteNumber("turns", count);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("segments");
            foreach (var t in turns)
            {
                json.WriteStartObject();
                json.WriteNumber("start", Math.Round(t.StartSeconds, 3));
                json.WriteNumber("end", Math.Round(t.EndSeconds, 3));
                json.WriteString("speaker", t.Speaker);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        writer.Write(Encoding.UTF8.GetString(buffer.ToArray()));
        writer.Write('\n');
    }

    /// <summary>SubRip (numbered cues, comma before milliseconds) or WebVTT (header, dot, a voice span naming the speaker).</summary>
    private static void WriteSubtitles(TextWriter writer, IReadOnlyList<SpeakerSegment> turns, bool vtt)
    {
        if (vtt)
        {
            writer.Write("WEBVTT\n\n");
        }
        for (int i = 0; i < turns.Count; i++)
        {
            var t = turns[i];
            writer.Write($"{i + 1}\n{Timestamp(t.StartSeconds, vtt)} --> {Timestamp(t.EndSeconds, vtt)}\n");
            // A cue's text may not hold a blank line or "-->"; speaker names are single tokens, but be safe.
            var name = t.Speaker.Replace("-->", "->", StringComparison.Ordinal).ReplaceLineEndings(" ");
            writer.Write(vtt ? $"<v {EscapeVtt(name)}>{EscapeVtt(name)}</v>\n\n" : $"{name}\n\n");
        }
    }

    private static string EscapeVtt(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (WebVTT), rounded to the millisecond.</summary>
    public static string Timestamp(double seconds, bool vtt)
    {
        long ms = (long)Math.Round(Math.Max(0, seconds) * 1000, MidpointRounding.AwayFromZero);
        return string.Create(CultureInfo.InvariantCulture,
            $"{ms / 3_600_000:00}:{ms / 60_000 % 60:00}:{ms / 1000 % 60:00}{(vtt ? '.' : ',')}{ms % 1000:000}");
    }

    /// <summary>RFC 4180 through CsvHelper: a header, then file,start,end,duration,speaker per turn.</summary>
    private static void WriteCsv(TextWriter writer, string fileId, IReadOnlyList<SpeakerSegment> turns)
    {
        using var csv = CsvWriter.Create(writer, new CsvWriterOptions { NewLine = "\n" }, leaveOpen: true);
        csv.WriteHeader(["file", "start", "end", "duration", "speaker"]);
        foreach (var t in turns)
        {
            csv.WriteRecord([fileId, Seconds(t.StartSeconds), Seconds(t.EndSeconds), Seconds(t.DurationSeconds), t.Speaker]);
        }
        csv.Flush();
    }

    private static string Seconds(double s) => s.ToString("F3", CultureInfo.InvariantCulture);
}
