// The events a session emits while it runs. All times are stream time, in seconds from the first sample.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Events;

/// <summary>Base of every live event; <see cref="StreamTimeSeconds"/> is the stream time the event refers to.</summary>
public abstract record DiarizationEvent(double StreamTimeSeconds);

/// <summary>The current speaker changed at <paramref name="StreamTimeSeconds"/>; null means silence.</summary>
public sealed record SpeakerChangeEvent(double StreamTimeSeconds, string? From, string? To) : DiarizationEvent(StreamTimeSeconds);

/// <summary>
/// A speaker turn. Provisional turns may still change; a final one changes only through Relabel or Merge.
/// <paramref name="SpeakerName"/> is the enrolled person the speaker was identified as, once it was (null before, or never).
/// </summary>
public sealed record SegmentEvent(SpeakerSegment Segment, bool IsFinal, string? SpeakerName = null) : DiarizationEvent(Segment.EndSeconds);

/// <summary>
/// Speaker <paramref name="Speaker"/> was recognised as the enrolled person <paramref name="Name"/>, at
/// <paramref name="Distance"/> from their profile; from now on its turns carry the name, and the earlier ones are theirs too.
/// </summary>
public sealed record SpeakerIdentifiedEvent(double StreamTimeSeconds, string Speaker, string Name, double Distance) : DiarizationEvent(StreamTimeSeconds);

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
