// The JSON segment form: its exact shape and a round trip.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Tests.Segments;

public class SegmentJsonTests
{
    [Fact]
    public void Serialize_writes_file_and_segments_with_readable_names()
    {
        var json = SegmentJson.Serialize("dev00", [new SpeakerSegment(1.44, 2.0, "S0"), new SpeakerSegment(2.5, 3.25, "MÉO069")]);

        Assert.Equal(
            """{"file":"dev00","segments":[{"start":1.44,"end":2,"speaker":"S0"},{"start":2.5,"end":3.25,"speaker":"MÉO069"}]}""",
            json);
    }

    [Fact]
    public void Deserialize_reads_back_what_Serialize_wrote()
    {
        SpeakerSegment[] segments = [new(0.1, 0.2, "A"), new(1.0 / 3, 2.0 / 3, "MÉO069")];

        var (fileId, read) = SegmentJson.Deserialize(SegmentJson.Serialize("trn00", segments));

        Assert.Equal("trn00", fileId);
        Assert.Equal(segments, read);
    }

    [Theory]
    [InlineData("""{"file":"a"}""")]
    [InlineData("""{"file":"a","segments":[{"start":2,"end":1,"speaker":"S"}]}""")]
    [InlineData("""{"file":"a","segments":[{"start":0,"end":1}]}""")]
    [InlineData("""not json""")]
    public void Deserialize_rejects_incomplete_or_impossible_documents(string json)
    {
        Assert.Throws<FormatException>(() => SegmentJson.Deserialize(json));
    }
}
