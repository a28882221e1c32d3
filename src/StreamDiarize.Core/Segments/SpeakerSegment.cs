// One speaker turn on the stream's clock; the unit that RTTM, JSON, scoring and events share.
namespace StreamDiarize.Core.Segments;

/// <summary>A speaker turn from <see cref="StartSeconds"/> to <see cref="EndSeconds"/> (stream time).</summary>
public readonly record struct SpeakerSegment(double StartSeconds, double EndSeconds, string Speaker)
{
    public double DurationSeconds => EndSeconds - StartSeconds;
}
