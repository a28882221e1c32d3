// The one translation between Core's diarization events and the wire's DiarizeEvent, used by server, clients and tests.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Contracts;

public static class EventMapping
{
    /// <summary>The wire form of a Core event.</summary>
    public static DiarizeEvent ToProto(DiarizationEvent e)
    {
        var message = new DiarizeEvent { StreamTimeSeconds = e.StreamTimeSeconds };
        switch (e)
        {
            case SpeakerChangeEvent c:
                message.SpeakerChange = new SpeakerChange { FromSpeaker = c.From ?? "", ToSpeaker = c.To ?? "" };
                break;
            case SegmentEvent s:
                message.Segment = new Segment
                {
                    StartSeconds = s.Segment.StartSeconds,
                    EndSeconds = s.Segment.EndSeconds,
                    Speaker = s.Segment.Speaker,
                    IsFinal = s.IsFinal,
                    SpeakerName = s.SpeakerName ?? "",
                };
                break;
            case SpeakerIdentifiedEvent named:
                message.SpeakerIdentified = new SpeakerIdentified { Speaker = named.Speaker, Name = named.Name, Distance = named.Distance };
                break;
            case RelabelEvent r:
                message.Relabel = new Relabel { StartSeconds = r.StartSeconds, EndSeconds = r.EndSeconds, FromSpeaker = r.From, ToSpeaker = r.To };
                break;
            case MergeEvent m:
                message.Merge = new Merge { FromSpeaker = m.From, IntoSpeaker = m.Into };
                break;
            case SpeakerAddedEvent a:
                message.SpeakerAdded = new SpeakerAdded { Speaker = a.Speaker };
                break;
            case SessionEndedEvent end:
                message.SessionEnded = new SessionEnded { Speakers = end.Speakers, SpeechSeconds = end.SpeechSeconds, SegmentCount = end.SegmentCount };
                break;
            default:
                throw new ArgumentException($"event {e.GetType().Name} has no wire form: add it to diarizer.proto and here", nameof(e));
        }
        return message;
    }

    /// <summary>
    /// The Core form of a wire event, or null for the wire-only events (SessionStarted, EventsDropped),
    /// so a client can feed everything it receives to a <see cref="SegmentLedger"/>.
    /// </summary>
    public static DiarizationEvent? ToCore(DiarizeEvent e)
    {
        double t = e.StreamTimeSeconds;
        return e.EventCase switch
        {
            DiarizeEvent.EventOneofCase.SpeakerChange => new SpeakerChangeEvent(t, NullIfEmpty(e.SpeakerChange.FromSpeaker), NullIfEmpty(e.SpeakerChange.ToSpeaker)),
            DiarizeEvent.EventOneofCase.Segment => new SegmentEvent(
                new SpeakerSegment(e.Segment.StartSeconds, e.Segment.EndSeconds, e.Segment.Speaker), e.Segment.IsFinal,
                e.Segment.SpeakerName.Length > 0 ? e.Segment.SpeakerName : null),
            DiarizeEvent.EventOneofCase.SpeakerIdentified => new SpeakerIdentifiedEvent(t, e.SpeakerIdentified.Speaker, e.SpeakerIdentified.Name, e.SpeakerIdentified.Distance),
            DiarizeEvent.EventOneofCase.Relabel => new RelabelEvent(t, e.Relabel.StartSeconds, e.Relabel.EndSeconds, e.Relabel.FromSpeaker, e.Relabel.ToSpeaker),
            DiarizeEvent.EventOneofCase.Merge => new MergeEvent(t, e.Merge.FromSpeaker, e.Merge.IntoSpeaker),
            DiarizeEvent.EventOneofCase.SpeakerAdded => new SpeakerAddedEvent(t, e.SpeakerAdded.Speaker),
            DiarizeEvent.EventOneofCase.SessionEnded => new SessionEndedEvent(t, e.SessionEnded.Speakers, e.SessionEnded.SpeechSeconds, e.SessionEnded.SegmentCount),
            _ => null,
        };
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
