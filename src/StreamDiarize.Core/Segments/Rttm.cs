// Reads and writes NIST RTTM speaker turns, the exchange format of diarization references and scorers.
using System.Globalization;
using System.Text;

namespace StreamDiarize.Core.Segments;

/// <summary>
/// RTTM <c>SPEAKER</c> lines: <c>SPEAKER file 1 start dur &lt;NA&gt; &lt;NA&gt; name &lt;NA&gt; &lt;NA&gt;</c>.
/// Times are seconds in the invariant culture; text is UTF-8 without BOM, so names such as <c>MÉO069</c> survive.
/// </summary>
public static class Rttm
{
    // Through the speaker name (field 8); the trailing confidence and lookahead fields are often dropped by tools.
    private const int MinimumFields = 8;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One RTTM line for <paramref name="segment"/> in <paramref name="fileId"/>, without the newline.</summary>
    public static string FormatLine(string fileId, SpeakerSegment segment)
    {
        RequireToken(fileId, nameof(fileId), "file id");
        RequireToken(segment.Speaker, nameof(segment), "speaker name");
        if (!(segment.EndSeconds >= segment.StartSeconds) || !double.IsFinite(segment.StartSeconds) || !double.IsFinite(segment.EndSeconds))
        {
            throw new ArgumentException(
                $"segment {segment.StartSeconds}..{segment.EndSeconds} of '{segment.Speaker}' cannot be written: start and end must be finite and end >= start",
                nameof(segment));
        }
        return string.Create(
            CultureInfo.InvariantCulture,
            $"SPEAKER {fileId} 1 {segment.StartSeconds:F3} {segment.DurationSeconds:F3} <NA> <NA> {segment.Speaker} <NA> <NA>");
    }

    /// <summary>Writes one line per segment, in the order given.</summary>
    public static void Write(TextWriter writer, string fileId, IEnumerable<SpeakerSegment> segments)
    {
        foreach (var segment in segments)
        {
            writer.Write(FormatLine(fileId, segment));
            writer.Write('\n');
        }
    }

    /// <summary>Writes <paramref name="path"/> (UTF-8, no BOM), replacing it if it exists.</summary>
    public static void WriteFile(string path, string fileId, IEnumerable<SpeakerSegment> segments)
    {
        using var writer = new StreamWriter(path, append: false, Utf8NoBom);
        Write(writer, fileId, segments);
    }

    /// <summary>
    /// Reads every <c>SPEAKER</c> line, grouped by file id; each list keeps the order of the lines.
    /// Blank lines, <c>;;</c> comments and other RTTM types (SPKR-INFO, LEXEME, ...) are skipped.
    /// </summary>
    /// <param name="reader">The RTTM text.</param>
    /// <param name="sourceName">Named in error messages; a file path when there is one.</param>
    /// <exception cref="RttmFormatException">A <c>SPEAKER</c> line is malformed.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<SpeakerSegment>> Read(TextReader reader, string sourceName = "<rttm>")
    {
        var byFile = new Dictionary<string, List<SpeakerSegment>>(StringComparer.Ordinal);
        var order = new List<string>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0] != "SPEAKER")
            {
                continue;
            }
            if (fields.Length < MinimumFields)
            {
                throw new RttmFormatException(sourceName, lineNumber,
                    $"too few fields ({fields.Length}); a SPEAKER line needs at least {MinimumFields}: SPEAKER file channel start duration <NA> <NA> speaker");
            }
            var start = ParseSeconds(fields[3], "start time", sourceName, lineNumber);
            var duration = ParseSeconds(fields[4], "duration", sourceName, lineNumber);
            if (start < 0)
            {
                throw new RttmFormatException(sourceName, lineNumber, $"negative start time {fields[3]}");
            }
            if (duration < 0)
            {
                throw new RttmFormatException(sourceName, lineNumber, $"negative duration {fields[4]}");
            }
            var fileId = fields[1];
            if (!byFile.TryGetValue(fileId, out var list))
            {
                list = [];
                byFile.Add(fileId, list);
                order.Add(fileId);
            }
            list.Add(new SpeakerSegment(start, start + duration, fields[7]));
        }

        // Built in first-seen order so callers that list files see them as the RTTM does.
        var result = new Dictionary<string, IReadOnlyList<SpeakerSegment>>(StringComparer.Ordinal);
        foreach (var fileId in order)
        {
            result.Add(fileId, byFile[fileId]);
        }
        return result;
    }

    /// <summary>Reads an RTTM file (UTF-8); errors name <paramref name="path"/>.</summary>
    /// <exception cref="RttmFormatException">A <c>SPEAKER</c> line is malformed, or the file is not valid UTF-8.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<SpeakerSegment>> ReadFile(string path)
    {
        using var reader = new StreamReader(path, Utf8NoBom, detectEncodingFromByteOrderMarks: true);
        try
        {
            return Read(reader, path);
        }
        catch (DecoderFallbackException ex)
        {
            throw new RttmFormatException($"{path}: not valid UTF-8 text ({ex.Message})", ex);
        }
    }

    private static double ParseSeconds(string text, string what, string sourceName, int lineNumber)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new RttmFormatException(sourceName, lineNumber, $"{what} '{text}' is not a number of seconds");
        }
        return value;
    }

    private static void RequireToken(string value, string paramName, string what)
    {
        if (string.IsNullOrEmpty(value) || value.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"{what} '{value}' cannot be written to RTTM: it must be non-empty and contain no whitespace", paramName);
        }
    }
}
