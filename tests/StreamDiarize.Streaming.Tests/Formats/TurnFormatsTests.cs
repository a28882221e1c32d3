// Each turn format's exact text for a small hand-made meeting: subtitle timestamps, CSV quoting, Audacity labels, JSON metadata.
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Segments;
using StreamDiarize.Streaming.Sinks.Formats;

namespace StreamDiarize.Streaming.Tests.Formats;

public sealed class TurnFormatsTests
{
    private static readonly TurnDocument Meeting = new("meet", 3725.5, "default", "1.2.3",
    [
        new SpeakerSegment(3601.0006, 3662.25, "S1"),
        new SpeakerSegment(1.44, 2.0, "S0"),
        new SpeakerSegment(2.5, 4.125, "S0"),
    ]);

    private static string Text(TurnFormat format, TurnDocument? document = null)
    {
        using var writer = new StringWriter();
        TurnFormats.Write(format, writer, document ?? Meeting);
        return writer.ToString();
    }

    [Fact]
    public void Srt_numbers_cues_in_start_order_with_comma_milliseconds_and_hours()
    {
        Assert.Equal(
            "1\n00:00:01,440 --> 00:00:02,000\nS0\n\n" +
            "2\n00:00:02,500 --> 00:00:04,125\nS0\n\n" +
            "3\n01:00:01,001 --> 01:01:02,250\nS1\n\n",
            Text(TurnFormat.Srt));
    }

    [Fact]
    public void Vtt_has_its_header_dot_milliseconds_and_a_voice_span_per_cue()
    {
        var vtt = Text(TurnFormat.Vtt);
        Assert.StartsWith("WEBVTT\n\n1\n00:00:01.440 --> 00:00:02.000\n<v S0>S0</v>\n\n", vtt, StringComparison.Ordinal);
        Assert.EndsWith("3\n01:00:01.001 --> 01:01:02.250\n<v S1>S1</v>\n\n", vtt, StringComparison.Ordinal);
    }

    [Fact]
    public void Vtt_escapes_markup_in_a_speaker_name()
    {
        var vtt = Text(TurnFormat.Vtt, Meeting with { Turns = [new SpeakerSegment(0, 1, "A<b>&")] });
        Assert.Contains("<v A&lt;b&gt;&amp;>A&lt;b&gt;&amp;</v>", vtt, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_has_a_header_and_quotes_names_holding_commas_or_quotes()
    {
        var document = Meeting with { FileId = "room, 2", Turns = [new SpeakerSegment(1, 2.5, "Ann \"the chair\"")] };
        Assert.Equal(
            "file,start,end,duration,speaker\n\"room, 2\",1.000,2.500,1.500,\"Ann \"\"the chair\"\"\"\n",
            Text(TurnFormat.Csv, document));
    }

    [Fact]
    public void Audacity_labels_are_tab_separated_seconds_with_six_decimals()
    {
        Assert.Equal("1.440000\t2.000000\tS0\n2.500000\t4.125000\tS0\n3601.000600\t3662.250000\tS1\n", Text(TurnFormat.Audacity));
    }

    [Fact]
    public void Json_carries_duration_method_version_and_speakers_and_still_reads_back_as_segment_json()
    {
        var json = Text(TurnFormat.Json);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(3725.5, root.GetProperty("durationSeconds").GetDouble());
        Assert.Equal("default", root.GetProperty("method").GetString());
        Assert.Equal("1.2.3", root.GetProperty("version").GetString());
        Assert.Equal(2, root.GetProperty("speakerCount").GetInt32());
        Assert.True(root.GetProperty("speakerCountEstimated").GetBoolean());
        var speakers = root.GetProperty("speakers").EnumerateArray().ToList();
        Assert.Equal("S0", speakers[0].GetProperty("speaker").GetString());
        Assert.Equal(2.185, speakers[0].GetProperty("speechSeconds").GetDouble(), 3);
        Assert.Equal(2, speakers[0].GetProperty("turns").GetInt32());

        var (file, segments) = SegmentJson.Deserialize(json);
        Assert.Equal("meet", file);
        Assert.Equal([1.44, 2.5, 3601.001], segments.Select(s => s.StartSeconds));
    }

    [Fact]
    public void Rttm_reads_back_as_the_turns_in_start_order()
    {
        var read = Rttm.Read(new StringReader(Text(TurnFormat.Rttm)))["meet"];
        Assert.Equal(["S0", "S0", "S1"], read.Select(s => s.Speaker));
        Assert.Equal(4.125, read[1].EndSeconds, 3);
    }

    [Fact]
    public void Parse_takes_several_names_in_any_case_and_ignores_repeats()
    {
        Assert.Equal([TurnFormat.Srt, TurnFormat.Rttm, TurnFormat.Audacity], TurnFormats.Parse("SRT, rttm,srt,audacity"));
    }

    [Theory]
    [InlineData("docx", "--format docx is unknown: use one or several of rttm,json,srt,vtt,csv,audacity")]
    [InlineData(",", "names no format")]
    public void Parse_refuses_unknown_or_empty_lists_naming_the_choices(string spec, string expected)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => TurnFormats.Parse(spec));
        Assert.Contains(expected, ex.Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void WriteFiles_writes_one_file_per_format_named_by_the_file_id()
    {
        var dir = Path.Combine(Path.GetTempPath(), "streamdiarize-tests", Guid.NewGuid().ToString("N"));
        var paths = TurnFormats.WriteFiles(dir, Meeting, TurnFormats.Parse("vtt,audacity,csv"));
        Assert.Equal(["meet.vtt", "meet.labels.txt", "meet.csv"], paths.Select(Path.GetFileName));
        Assert.Equal(Text(TurnFormat.Csv), File.ReadAllText(paths[2]));
        Directory.Delete(dir, recursive: true);
    }
}
