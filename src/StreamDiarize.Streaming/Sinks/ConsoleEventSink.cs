// Prints events as they happen, one line each, for `file --streaming --verbose` and `stream`.
using System.Globalization;
using StreamDiarize.Core.Events;

namespace StreamDiarize.Streaming.Sinks;

public sealed class ConsoleEventSink(TextWriter writer, bool includeProvisional = false) : IEventSink
{
    public ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken)
    {
        var line = Format(diarizationEvent, includeProvisional);
        if (line is not null)
        {
            writer.WriteLine(line);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken)
    {
        writer.Flush();
        return ValueTask.CompletedTask;
    }

    /// <summary>One human-readable line per event; null for provisional segments unless asked for.</summary>
    public static string? Format(DiarizationEvent e, bool includeProvisional = true)
    {
        var inv = CultureInfo.InvariantCulture;
        return e switch
        {
            SpeakerChangeEvent c => string.Format(inv, "{0,8:F2}  change   {1} -> {2}", c.StreamTimeSeconds, c.From ?? "(silence)", c.To ?? "(silence)"),
            SegmentEvent { IsFinal: true } s => string.Format(inv, "{0,8:F2}  final    {1} {2:F2}-{3:F2}", s.StreamTimeSeconds, s.SpeakerName ?? s.Segment.Speaker, s.Segment.StartSeconds, s.Segment.EndSeconds),
            SegmentEvent s when includeProvisional => string.Format(inv, "{0,8:F2}  turn     {1} {2:F2}-{3:F2} (provisional)", s.StreamTimeSeconds, s.SpeakerName ?? s.Segment.Speaker, s.Segment.StartSeconds, s.Segment.EndSeconds),
            SpeakerIdentifiedEvent n => string.Format(inv, "{0,8:F2}  named    {1} is {2} (distance {3:F3})", n.StreamTimeSeconds, n.Speaker, n.Name, n.Distance),
            SegmentEvent => null,
            RelabelEvent r => string.Format(inv, "{0,8:F2}  relabel  {1:F2}-{2:F2} {3} -> {4}", r.StreamTimeSeconds, r.StartSeconds, r.EndSeconds, r.From, r.To),
            MergeEvent m => string.Format(inv, "{0,8:F2}  merge    {1} into {2}", m.StreamTimeSeconds, m.From, m.Into),
            SpeakerAddedEvent a => string.Format(inv, "{0,8:F2}  speaker  {1} added", a.StreamTimeSeconds, a.Speaker),
            SessionEndedEvent end => string.Format(inv, "{0,8:F2}  ended    {1} speaker(s), {2:F1} s speech, {3} segment(s)", end.StreamTimeSeconds, end.Speakers, end.SpeechSeconds, end.SegmentCount),
            _ => e.ToString(),
        };
    }
}
