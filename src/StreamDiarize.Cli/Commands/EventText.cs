// How `stream` and `watch` show a session: merged speaker turns by default, or (--raw-events) every event in words, in order.
using System.Globalization;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Cli.Commands;

/// <summary>
/// Turns mode prints one line per speaker turn once it is final: consecutive final pieces of one speaker less than
/// <see cref="JoinGapSeconds"/> apart are one turn (the live pipeline finalises phrase-sized pieces). A relabel or
/// merge that rewrites printed turns is said in a line of its own. Raw mode prints every event with the stream time
/// it was known at, so times never go backwards (a final piece is stamped with its end, which is already past).
/// </summary>
internal sealed class EventText(TextWriter output, bool raw)
{
    public const double JoinGapSeconds = 2.0;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private SpeakerSegment? _open;
    private double _at;

    public void Show(DiarizeEvent e)
    {
        _at = Math.Max(_at, e.StreamTimeSeconds);
        if (raw)
        {
            output.WriteLine(string.Format(Inv, "{0,8:F2}  {1}", _at, Describe(e)));
            return;
        }
        var core = EventMapping.ToCore(e);
        switch (core)
        {
            case SegmentEvent { IsFinal: true } s:
                if (_open is { } open && open.Speaker == s.Segment.Speaker && s.Segment.StartSeconds - open.EndSeconds <= JoinGapSeconds)
                {
                    _open = open with { EndSeconds = Math.Max(open.EndSeconds, s.Segment.EndSeconds) };
                }
                else
                {
                    Flush();
                    _open = s.Segment;
                }
                break;
            case RelabelEvent r:
                Flush();
                output.WriteLine(string.Format(Inv, "          {0:F2}-{1:F2} s was {2}, is {3} (relabelled)", r.StartSeconds, r.EndSeconds, r.From, r.To));
                break;
            case MergeEvent m:
                if (_open is { } o && o.Speaker == m.From)
                {
                    _open = o with { Speaker = m.Into };
                }
                output.WriteLine($"          {m.From} is {m.Into}: turns printed as {m.From} are {m.Into}'s");
                break;
            case SessionEndedEvent:
                Flush();
                output.WriteLine(StreamCommand.FormatLine(e));
                break;
            case null when e.EventCase == DiarizeEvent.EventOneofCase.SessionStarted:
                output.WriteLine(Describe(e));
                break;
            case null when e.EventCase == DiarizeEvent.EventOneofCase.EventsDropped:
                output.WriteLine(Describe(e));
                break;
        }
    }

    /// <summary>Prints the turn still open (at the end of the stream, or when the call fails).</summary>
    public void Flush()
    {
        if (_open is { } t)
        {
            output.WriteLine(string.Format(Inv, "{0,8:F2} - {1,8:F2}  {2,-6} {3,6:F1} s", t.StartSeconds, t.EndSeconds, t.Speaker, t.DurationSeconds));
            _open = null;
        }
    }

    /// <summary>One event in words.</summary>
    public static string Describe(DiarizeEvent e) => e.EventCase switch
    {
        DiarizeEvent.EventOneofCase.SessionStarted => $"session {e.SessionStarted.SessionId} started: {Describe(e.SessionStarted.EffectiveConfig)}",
        DiarizeEvent.EventOneofCase.SpeakerChange => e.SpeakerChange.ToSpeaker.Length == 0
            ? $"silence (after {Name(e.SpeakerChange.FromSpeaker)})"
            : $"{e.SpeakerChange.ToSpeaker} speaking" + (e.SpeakerChange.FromSpeaker.Length == 0 ? "" : $" (after {e.SpeakerChange.FromSpeaker})"),
        DiarizeEvent.EventOneofCase.Segment => string.Format(Inv, "{0} turn {1} {2:F2}-{3:F2} s", e.Segment.IsFinal ? "final" : "provisional",
            e.Segment.Speaker, e.Segment.StartSeconds, e.Segment.EndSeconds),
        DiarizeEvent.EventOneofCase.Relabel => string.Format(Inv, "relabel {0:F2}-{1:F2} s: {2} is {3}", e.Relabel.StartSeconds, e.Relabel.EndSeconds, e.Relabel.FromSpeaker, e.Relabel.ToSpeaker),
        DiarizeEvent.EventOneofCase.Merge => $"merge: {e.Merge.FromSpeaker} is {e.Merge.IntoSpeaker}",
        DiarizeEvent.EventOneofCase.SpeakerAdded => $"new speaker {e.SpeakerAdded.Speaker}",
        DiarizeEvent.EventOneofCase.SessionEnded => string.Format(Inv, "ended ({0}): {1} speaker(s), {2:F1} s of speech, {3} final turn(s){4}",
            e.SessionEnded.Reason, e.SessionEnded.Speakers, e.SessionEnded.SpeechSeconds, e.SessionEnded.SegmentCount,
            e.SessionEnded.Detail.Length > 0 ? "; " + e.SessionEnded.Detail : ""),
        DiarizeEvent.EventOneofCase.EventsDropped => $"{e.EventsDropped.Count} event(s) dropped: this client read too slowly",
        _ => "unknown event (a newer server?)",
    };

    private static string Name(string speaker) => speaker.Length == 0 ? "silence" : speaker;

    private static string Describe(SessionConfig? c)
    {
        if (c is null)
        {
            return "default settings";
        }
        var parts = new List<string>();
        if (c.Format is { } f)
        {
            parts.Add(string.Format(Inv, "{0} Hz, {1} channel(s), {2}", f.SampleRateHz, f.Channels, f.Encoding));
        }
        parts.Add(c.HasLatencySeconds ? string.Format(Inv, "final after {0} s", c.LatencySeconds) : "default latency");
        parts.Add(c.HasExactSpeakers ? $"{c.ExactSpeakers} speaker(s)"
            : $"speakers estimated ({(c.HasMinSpeakers ? c.MinSpeakers : 1)} to {(c.HasMaxSpeakers ? c.MaxSpeakers.ToString(Inv) : "any")})");
        if (c.HasEmbedder)
        {
            parts.Add("embedder " + c.Embedder);
        }
        if (c.HasVad)
        {
            parts.Add("vad " + c.Vad);
        }
        return string.Join(", ", parts);
    }
}
