// What diarizing one clip yields: its speaker turns, named S0, S1, ... in order of first appearance.
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Pipeline;

/// <summary>Speaker turns of clip <paramref name="FileId"/>, in time order; <paramref name="SpeakerCount"/> distinct speakers.</summary>
public sealed record DiarizationResult(string FileId, IReadOnlyList<SpeakerSegment> Segments, int SpeakerCount, double DurationSeconds);
