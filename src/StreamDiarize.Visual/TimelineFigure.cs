// What one figure shows: a recording, its optional reference, and one or more diarization runs to stack as panels.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Visual;

/// <summary>One diarization result to draw as a panel, e.g. <c>seed · logmel</c>.</summary>
public sealed record TimelineRun(string Title, IReadOnlyList<SpeakerSegment> Segments);

/// <summary>
/// The input of <see cref="TimelinePlotter"/>: the audio (for the waveform), the reference turns when known
/// (for the reference lanes, the error lanes and the colours), and the runs, drawn top to bottom in order.
/// </summary>
public sealed record TimelineFigure(AudioClip Clip, IReadOnlyList<SpeakerSegment>? Reference, IReadOnlyList<TimelineRun> Runs);
