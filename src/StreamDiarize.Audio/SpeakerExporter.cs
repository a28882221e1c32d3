// Writes each speaker's speech to its own WAV file, turns in time order, with an index that maps every piece back to the recording.
// It lives with the audio I/O because it is a WAV writer; it needs nothing from plotting.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NAudio.Wave;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Audio;

public sealed class SpeakerExportOptions
{
    /// <summary>Silence between two turns in an exported file, so a listener hears where one ends; 0 for none.</summary>
    public double GapSeconds { get; init; } = 0.2;

    public void Validate()
    {
        if (!double.IsFinite(GapSeconds) || GapSeconds is < 0 or > 10)
        {
            throw new ArgumentException($"GapSeconds {GapSeconds} is invalid: use 0 to 10 seconds of silence between turns");
        }
    }
}

/// <summary>One turn inside an exported file: where it came from and where it sits now.</summary>
/// <param name="SourceStartSeconds">Start in the recording, as in the RTTM.</param>
/// <param name="SourceEndSeconds">End in the recording.</param>
/// <param name="OffsetSeconds">Start inside the exported WAV.</param>
/// <param name="SourceStartSample">First sample in the recording (start × rate, rounded).</param>
/// <param name="OffsetSample">First sample inside the exported WAV.</param>
/// <param name="LengthSamples">Samples copied.</param>
public sealed record ExportedTurn(
    double SourceStartSeconds,
    double SourceEndSeconds,
    double OffsetSeconds,
    long SourceStartSample,
    long OffsetSample,
    long LengthSamples);

/// <summary>One exported file: a speaker's turns, concatenated.</summary>
public sealed record ExportedSpeaker(string Speaker, string FileName, int SampleRateHz, long LengthSamples, IReadOnlyList<ExportedTurn> Turns)
{
    public double DurationSeconds => (double)LengthSamples / SampleRateHz;
}

/// <summary>What <see cref="SpeakerExporter.Export"/> wrote for one recording.</summary>
public sealed record SpeakerExportIndex(string FileId, int SampleRateHz, double GapSeconds, IReadOnlyList<ExportedSpeaker> Speakers);

public static class SpeakerExporter
{
    public const string JsonIndexName = "index.json";
    public const string TsvIndexName = "index.tsv";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>
    /// Writes <c>&lt;speaker&gt;.wav</c> (mono, 16-bit PCM, at the clip's rate) for every speaker in
    /// <paramref name="segments"/>, plus <c>index.json</c> and <c>index.tsv</c>, into <paramref name="directory"/>.
    /// A speaker's overlapping or touching turns are joined first, so no sample is exported twice.
    /// </summary>
    public static SpeakerExportIndex Export(AudioClip clip, IReadOnlyList<SpeakerSegment> segments, string directory, SpeakerExportOptions? options = null)
    {
        options ??= new SpeakerExportOptions();
        options.Validate();
        Directory.CreateDirectory(directory);
        int rate = clip.SampleRateHz;
        long gap = (long)Math.Round(options.GapSeconds * rate);
        var usedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var speakers = new List<ExportedSpeaker>();
        foreach (var group in segments.GroupBy(s => s.Speaker, StringComparer.Ordinal).OrderBy(g => g.Min(s => s.StartSeconds)))
        {
            var spans = SampleSpans(group, rate, clip.Samples.Length);
            if (spans.Count == 0)
            {
                continue;
            }
            string fileName = UniqueFileName(group.Key, usedNames);
            var turns = new List<ExportedTurn>(spans.Count);
            var format = new WaveFormat(rate, 16, 1);
            long offset = 0;
            using (var writer = new WaveFileWriter(Path.Combine(directory, fileName), format))
            {
                var pcm = new byte[8192];
                var silence = new byte[8192];
                for (int t = 0; t < spans.Count; t++)
                {
                    if (t > 0)
                    {
                        WriteSilence(writer, silence, gap);
                        offset += gap;
                    }
                    var (from, to) = spans[t];
                    WritePcm16(writer, clip.Samples.AsSpan((int)from, (int)(to - from)), pcm);
                    turns.Add(new ExportedTurn((double)from / rate, (double)to / rate, (double)offset / rate, from, offset, to - from));
                    offset += to - from;
                }
            }
            speakers.Add(new ExportedSpeaker(group.Key, fileName, rate, offset, turns));
        }
        var index = new SpeakerExportIndex(clip.Id, rate, options.GapSeconds, speakers);
        File.WriteAllText(Path.Combine(directory, JsonIndexName), JsonSerializer.Serialize(index, JsonOptions), new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(directory, TsvIndexName), ToTsv(index), new UTF8Encoding(false));
        return index;
    }

    /// <summary>Reads an <c>index.json</c> written by <see cref="Export"/>.</summary>
    public static SpeakerExportIndex ReadIndex(string path) =>
        JsonSerializer.Deserialize<SpeakerExportIndex>(File.ReadAllText(path), JsonOptions)
        ?? throw new InvalidDataException($"{path} holds no export index");

    /// <summary>One line per turn: file, speaker, source start/end, offset in the file (seconds), length (seconds).</summary>
    public static string ToTsv(SpeakerExportIndex index)
    {
        var sb = new StringBuilder("file\tspeaker\tsource_start_s\tsource_end_s\toffset_s\tduration_s\n");
        foreach (var speaker in index.Speakers)
        {
            foreach (var turn in speaker.Turns)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"{speaker.FileName}\t{speaker.Speaker}\t{turn.SourceStartSeconds:F4}\t{turn.SourceEndSeconds:F4}\t{turn.OffsetSeconds:F4}\t{(double)turn.LengthSamples / speaker.SampleRateHz:F4}\n");
            }
        }
        return sb.ToString();
    }

    /// <summary>The speaker's turns as sorted, disjoint sample ranges inside the clip.</summary>
    private static List<(long From, long To)> SampleSpans(IEnumerable<SpeakerSegment> turns, int rate, int length)
    {
        var spans = new List<(long From, long To)>();
        foreach (var s in turns.OrderBy(s => s.StartSeconds))
        {
            long from = Math.Clamp((long)Math.Round(s.StartSeconds * rate), 0, length);
            long to = Math.Clamp((long)Math.Round(s.EndSeconds * rate), 0, length);
            if (to <= from)
            {
                continue;
            }
            if (spans.Count > 0 && from <= spans[^1].To)
            {
                spans[^1] = (spans[^1].From, Math.Max(spans[^1].To, to));
            }
            else
            {
                spans.Add((from, to));
            }
        }
        return spans;
    }

    private static void WritePcm16(WaveFileWriter writer, ReadOnlySpan<float> samples, byte[] buffer)
    {
        // Scale by 32768, as the loader divides, so 16-bit sources round-trip exactly.
        int i = 0;
        while (i < samples.Length)
        {
            int n = Math.Min(buffer.Length / 2, samples.Length - i);
            for (int k = 0; k < n; k++)
            {
                var value = (short)Math.Clamp(Math.Round(samples[i + k] * 32768.0), short.MinValue, short.MaxValue);
                buffer[2 * k] = (byte)value;
                buffer[(2 * k) + 1] = (byte)(value >> 8);
            }
            writer.Write(buffer, 0, 2 * n);
            i += n;
        }
    }

    private static void WriteSilence(WaveFileWriter writer, byte[] zeros, long samples)
    {
        long bytes = samples * 2;
        while (bytes > 0)
        {
            int n = (int)Math.Min(zeros.Length, bytes);
            writer.Write(zeros, 0, n);
            bytes -= n;
        }
    }

    /// <summary>A safe file name for a speaker label (labels come from RTTM and may hold any character).</summary>
    private static string UniqueFileName(string speaker, HashSet<string> used)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string(speaker.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '_' : c).ToArray());
        if (safe.Length == 0 || safe == "." || safe == "..")
        {
            safe = "speaker";
        }
        string name = safe + ".wav";
        for (int k = 2; !used.Add(name); k++)
        {
            name = $"{safe}-{k}.wav";
        }
        return name;
    }
}
