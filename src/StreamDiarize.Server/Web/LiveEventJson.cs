// The browser's form of a session event: one flat JSON object per wire DiarizeEvent, named by its kind.
using System.Text.Json.Nodes;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Web;

/// <summary>
/// Maps the watcher's wire events (the same ones Watch sends) to the JSON the live page reads. Every object has
/// <c>kind</c> and <c>time</c> (stream seconds); the other fields follow the proto's names in camelCase. Times are
/// rounded to the millisecond so the stream stays short and readable.
/// </summary>
public static class LiveEventJson
{
    public static JsonObject ToJson(DiarizeEvent e)
    {
        var o = new JsonObject { ["kind"] = KindOf(e), ["time"] = Ms(e.StreamTimeSeconds) };
        switch (e.EventCase)
        {
            case DiarizeEvent.EventOneofCase.SessionStarted:
                o["sessionId"] = e.SessionStarted.SessionId;
                o["includeProvisional"] = e.SessionStarted.EffectiveConfig?.IncludeProvisional ?? false;
                break;
            case DiarizeEvent.EventOneofCase.SpeakerChange:
                // Empty on the wire means silence; null says so plainly to a script.
                o["from"] = NullIfEmpty(e.SpeakerChange.FromSpeaker);
                o["to"] = NullIfEmpty(e.SpeakerChange.ToSpeaker);
                break;
            case DiarizeEvent.EventOneofCase.Segment:
                o["start"] = Ms(e.Segment.StartSeconds);
                o["end"] = Ms(e.Segment.EndSeconds);
                o["speaker"] = e.Segment.Speaker;
                o["final"] = e.Segment.IsFinal;
                o["name"] = NullIfEmpty(e.Segment.SpeakerName);
                break;
            case DiarizeEvent.EventOneofCase.SpeakerIdentified:
                o["speaker"] = e.SpeakerIdentified.Speaker;
                o["name"] = e.SpeakerIdentified.Name;
                o["distance"] = Ms(e.SpeakerIdentified.Distance);
                break;
            case DiarizeEvent.EventOneofCase.Relabel:
                o["start"] = Ms(e.Relabel.StartSeconds);
                o["end"] = Ms(e.Relabel.EndSeconds);
                o["from"] = e.Relabel.FromSpeaker;
                o["to"] = e.Relabel.ToSpeaker;
                break;
            case DiarizeEvent.EventOneofCase.Merge:
                o["from"] = e.Merge.FromSpeaker;
                o["into"] = e.Merge.IntoSpeaker;
                break;
            case DiarizeEvent.EventOneofCase.SpeakerAdded:
                o["speaker"] = e.SpeakerAdded.Speaker;
                break;
            case DiarizeEvent.EventOneofCase.SessionEnded:
                o["speakers"] = e.SessionEnded.Speakers;
                o["speechSeconds"] = Ms(e.SessionEnded.SpeechSeconds);
                o["segmentCount"] = e.SessionEnded.SegmentCount;
                o["reason"] = e.SessionEnded.Reason.ToString();
                o["detail"] = e.SessionEnded.Detail;
                break;
            case DiarizeEvent.EventOneofCase.EventsDropped:
                o["count"] = e.EventsDropped.Count;
                break;
        }
        return o;
    }

    public static string KindOf(DiarizeEvent e) => e.EventCase switch
    {
        DiarizeEvent.EventOneofCase.SessionStarted => "started",
        DiarizeEvent.EventOneofCase.SpeakerChange => "change",
        DiarizeEvent.EventOneofCase.Segment => "segment",
        DiarizeEvent.EventOneofCase.Relabel => "relabel",
        DiarizeEvent.EventOneofCase.Merge => "merge",
        DiarizeEvent.EventOneofCase.SpeakerAdded => "speakerAdded",
        DiarizeEvent.EventOneofCase.SessionEnded => "ended",
        DiarizeEvent.EventOneofCase.EventsDropped => "dropped",
        DiarizeEvent.EventOneofCase.SpeakerIdentified => "identified",
        _ => "unknown",
    };

    private static double Ms(double seconds) => Math.Round(seconds, 3);

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
