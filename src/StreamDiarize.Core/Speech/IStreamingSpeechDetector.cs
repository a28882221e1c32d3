// The live speech stage: one frame's cues (and samples, for a model) in at a time, decisions committed a fixed time later.
namespace StreamDiarize.Core.Speech;

/// <summary>
/// Decides speech frame by frame as a stream arrives. Frames before <see cref="Committed"/> never change again; frames
/// up to <see cref="ProvisionalEnd"/> have a decision that may. The energy detector reads the band energy and voicing
/// the analyzer computes (<see cref="Streaming.StreamingSpeechDetector"/>); a neural VAD reads the hop's samples
/// (<see cref="ReadsSamples"/>). Run over a whole clip with a lookahead of the whole clip, it is an offline detector.
/// </summary>
public interface IStreamingSpeechDetector
{
    /// <summary>Whether <see cref="Push"/> needs each hop's samples; analysis frames must then carry them.</summary>
    bool ReadsSamples { get; }

    /// <summary>Frames [0, Committed) are decided for good.</summary>
    long Committed { get; }

    /// <summary>Frames [Committed, ProvisionalEnd) have a provisional decision.</summary>
    long ProvisionalEnd { get; }

    /// <summary>The next frame: its 300-3400 Hz band energy (dB), its voicing, and its hop's samples (empty unless <see cref="ReadsSamples"/>).</summary>
    void Push(double energyDb, double voicing, ReadOnlySpan<float> hopSamples);

    /// <summary>End of stream: decide and commit every frame.</summary>
    void Finish();

    /// <summary>The decision for a recent frame (from some way before <see cref="Committed"/> up to <see cref="ProvisionalEnd"/>).</summary>
    bool IsSpeech(long frame);

    /// <summary>Whether a speech frame only gap filling made speech, across a pause (<see cref="SpeechMask.IsPause"/>); false when the detector marks none.</summary>
    bool IsPause(long frame);
}
