// RTTM reading and writing: round trips, skipped lines, and errors that locate the bad line.
using System.Text;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Core.Tests.Segments;

public class RttmTests
{
    [Fact]
    public void WriteFile_then_ReadFile_round_trips_non_ascii_speakers_without_a_bom()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "trn00.rttm");
        SpeakerSegment[] segments = [new(1.44, 2.5, "MÉO069"), new(2.25, 4.0, "MEE068"), new(5.0, 5.0, "MÉO069")];

        Rttm.WriteFile(path, "trn00", segments);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal((byte)'S', bytes[0]);
        Assert.Contains("SPEAKER trn00 1 1.440 1.060 <NA> <NA> MÉO069 <NA> <NA>\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        var read = Rttm.ReadFile(path);
        Assert.Equal(["trn00"], read.Keys);
        Assert.Equal(segments.Length, read["trn00"].Count);
        for (var i = 0; i < segments.Length; i++)
        {
            Assert.Equal(segments[i].Speaker, read["trn00"][i].Speaker);
            Assert.Equal(segments[i].StartSeconds, read["trn00"][i].StartSeconds, 1e-9);
            Assert.Equal(segments[i].EndSeconds, read["trn00"][i].EndSeconds, 1e-9);
        }
    }

    [Fact]
    public void ReadFile_reads_the_ami_reference_with_its_non_ascii_names()
    {
        var read = Rttm.ReadFile(RepoPaths.Ami("trn00.rttm"));

        Assert.Equal(14, read["trn00"].Count);
        Assert.Contains(read["trn00"], s => s.Speaker == "MÉO069");
    }

    [Fact]
    public void Read_skips_comments_blank_lines_and_other_types_and_keeps_file_order()
    {
        const string text = """
            ;; a comment
            SPKR-INFO b 1 <NA> <NA> <NA> unknown S1 <NA> <NA>

            SPEAKER b 1 3.0 1.0 <NA> <NA> S1 <NA> <NA>
              SPEAKER   a 1 0.5    2 <NA> <NA> S2
            SPEAKER b 1 1.0 0.5 <NA> <NA> S2 <NA> <NA>
            """;

        var read = Rttm.Read(new StringReader(text));

        Assert.Equal(["b", "a"], read.Keys);
        Assert.Equal([new SpeakerSegment(3.0, 4.0, "S1"), new SpeakerSegment(1.0, 1.5, "S2")], read["b"]);
        Assert.Equal([new SpeakerSegment(0.5, 2.5, "S2")], read["a"]);
    }

    [Theory]
    [InlineData("SPEAKER f 1 1.0 -0.5 <NA> <NA> S1 <NA> <NA>", "negative duration")]
    [InlineData("SPEAKER f 1 abc 0.5 <NA> <NA> S1 <NA> <NA>", "start time 'abc' is not a number")]
    [InlineData("SPEAKER f 1 1,5 0.5 <NA> <NA> S1 <NA> <NA>", "start time '1,5' is not a number")]
    [InlineData("SPEAKER f 1 1.0 NaN <NA> <NA> S1 <NA> <NA>", "duration 'NaN' is not a number")]
    [InlineData("SPEAKER f 1 1.0 0.5", "too few fields")]
    public void Read_names_the_source_line_and_problem_of_a_malformed_line(string badLine, string problem)
    {
        var text = "SPEAKER f 1 0.0 1.0 <NA> <NA> S1 <NA> <NA>\n;; fine so far\n" + badLine + "\n";

        var ex = Assert.Throws<RttmFormatException>(() => Rttm.Read(new StringReader(text), "hyp/f.rttm"));

        Assert.Equal("hyp/f.rttm", ex.SourceName);
        Assert.Equal(3, ex.LineNumber);
        Assert.StartsWith("hyp/f.rttm, line 3: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_errors_name_the_file_path()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "bad.rttm");
        File.WriteAllText(path, "SPEAKER f 1 x 1 <NA> <NA> S1 <NA> <NA>\n");

        var ex = Assert.Throws<RttmFormatException>(() => Rttm.ReadFile(path));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FormatException>(ex);
    }

    [Fact]
    public void FormatLine_refuses_names_that_would_break_the_fields()
    {
        Assert.Throws<ArgumentException>(() => Rttm.FormatLine("f", new SpeakerSegment(0, 1, "two words")));
        Assert.Throws<ArgumentException>(() => Rttm.FormatLine("my file", new SpeakerSegment(0, 1, "S1")));
    }

    [Fact]
    public void FormatLine_uses_the_invariant_culture_whatever_the_current_one()
    {
        var line = Rttm.FormatLine("f", new SpeakerSegment(1234.5, 1236.25, "S1"));

        Assert.Equal("SPEAKER f 1 1234.500 1.750 <NA> <NA> S1 <NA> <NA>", line);
    }
}
