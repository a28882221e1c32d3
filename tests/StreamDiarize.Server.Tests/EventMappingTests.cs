// The one Core <-> wire event mapping round-trips every event kind.
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Server.Tests;

public sealed class EventMappingTests
{
    public static TheoryData<DiarizationEvent> Events =>
    [
        new SpeakerChangeEvent(1.5, null, "S0"),
        new SpeakerChangeEvent(2.5, "S0", null),
        new SegmentEvent(new SpeakerSegment(1, 2.5, "S1"), true),
        new SegmentEvent(new SpeakerSegment(1, 2.5, "S1"), false),
        new RelabelEvent(4, 1, 2, "S1", "S0"),
        new MergeEvent(5, "S2", "S0"),
        new SpeakerAddedEvent(6, "S3"),
        new SessionEndedEvent(7, 3, 5.5, 4),
    ];

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_core_event_survives_the_wire_unchanged(DiarizationEvent e)
    {
        Assert.Equal(e, EventMapping.ToCore(EventMapping.ToProto(e)));
    }
}
