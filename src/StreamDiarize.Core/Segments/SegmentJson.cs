// The JSON form of one file's speaker turns, for tools that would rather not parse RTTM.
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamDiarize.Core.Segments;

/// <summary>
/// Writes and reads <c>{"file":"dev00","segments":[{"start":1.44,"end":2.0,"speaker":"S0"}]}</c>.
/// Non-ASCII speaker names are written as they are (not \u-escaped).
/// </summary>
public static class SegmentJson
{
    private static readonly SegmentJsonContext Context = new(new JsonSerializerOptions
    {
        // Names like MÉO069 stay readable; the output is data, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Serialize(string fileId, IEnumerable<SpeakerSegment> segments)
    {
        var dto = new FileDto(fileId, segments.Select(s => new SegmentDto(s.StartSeconds, s.EndSeconds, s.Speaker)).ToList());
        return JsonSerializer.Serialize(dto, Context.FileDto);
    }

    /// <summary>Reads a document written by <see cref="Serialize"/>.</summary>
    /// <exception cref="FormatException">The JSON is malformed, lacks a field, or has a segment that ends before it starts.</exception>
    public static (string FileId, IReadOnlyList<SpeakerSegment> Segments) Deserialize(string json)
    {
        FileDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, Context.FileDto);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"segment JSON is malformed: {ex.Message}", ex);
        }
        if (dto?.File is null || dto.Segments is null)
        {
            throw new FormatException("segment JSON needs \"file\" and \"segments\"");
        }
        var segments = new List<SpeakerSegment>(dto.Segments.Count);
        for (var i = 0; i < dto.Segments.Count; i++)
        {
            var s = dto.Segments[i];
            if (s.Speaker is null || !(s.End >= s.Start))
            {
                throw new FormatException($"segment {i} of '{dto.File}' needs a speaker and end >= start (got {s.Start}..{s.End})");
            }
            segments.Add(new SpeakerSegment(s.Start, s.End, s.Speaker));
        }
        return (dto.File, segments);
    }

    internal sealed record FileDto(
        [property: JsonPropertyName("file")] string File,
        [property: JsonPropertyName("segments")] List<SegmentDto> Segments);

    internal sealed record SegmentDto(
        [property: JsonPropertyName("start")] double Start,
        [property: JsonPropertyName("end")] double End,
        [property: JsonPropertyName("speaker")] string Speaker);
}

[JsonSerializable(typeof(SegmentJson.FileDto))]
internal sealed partial class SegmentJsonContext : JsonSerializerContext;
