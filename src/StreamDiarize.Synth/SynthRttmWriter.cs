// A minimal RTTM writer kept inside Synth on purpose: Core is getting its own Rttm type on another branch; swap to it after the merge.
using System.Globalization;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Synth;

internal static class SynthRttmWriter
{
    /// <summary>One SPEAKER line per segment, millisecond precision, invariant culture, "\n" line ends.</summary>
    public static void Write(TextWriter writer, string fileId, IEnumerable<SpeakerSegment> segments)
    {
        foreach (var s in segments)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"SPEAKER {fileId} 1 {s.StartSeconds:F3} {s.DurationSeconds:F3} <NA> <NA> {s.Speaker} <NA> <NA>\n"));
        }
    }
}
