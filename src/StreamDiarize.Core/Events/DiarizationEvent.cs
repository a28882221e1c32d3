// The events a session emits while it runs. All times are stream time, in seconds from the first sample.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Events;

/// <summary>Base of every live event; <see cref="StreamTimeSeconds"/> is the stream time the event refers to.</summary>
public abstract record DiarizationEvent(double StreamTimeSeconds);

/// <summary>The current speaker changed at <paramref name="StreamTimeSeconds"/>; null means silence.</summary>
public sealed record SpeakerChangeEvent(double StreamTimeSeconds, string? From, string? To) : DiarizationEvent(StreamTimeSeconds);

/// <summary>A speaker turn. Provisional turns may still change; a final one changes only through Relabel or Merge.</summary>
public sealed record SegmentEvent(SpeakerSegment Segment, bool IsFinal) : DiarizationEvent(Segment.EndSeconds);

/// <summary>Re-clustering moved <c>[StartSeconds, EndSeconds)</c> from speaker <paramref name="From"/> to <paramref name="To"/>.</summary>
public sealed record RelabelEvent(double StreamTimeSeconds, double StartSeconds, double EndSeconds, string From, string To)
    : DiarizationEvent(StreamTimeSeconds);

/// <summary>Two speakers turned out to be one: every turn of <paramref name="From"/> now belongs to <paramref name="Into"/>.</summary>
public sealed record MergeEvent(double StreamTimeSeconds, string From, string Into) : DiarizationEvent(StreamTimeSeconds);

/// <summary>A new speaker id was created.</summary>
public sealed record SpeakerAddedEvent(double StreamTimeSeconds, string Speaker) : DiarizationEvent(StreamTimeSeconds);

/// <summary>The session ended; its totals.</summary>
public sealed record SessionEndedEvent(double StreamTimeSeconds, int Speakers, double SpeechSeconds, int SegmentCount)
    : DiarizationEvent(StreamTimeSeconds);
