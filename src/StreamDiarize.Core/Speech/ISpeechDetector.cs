// The speech/non-speech stage: a clip's samples in, one decision per hop out. Energy today, a neural VAD later.
namespace StreamDiarize.Core.Speech;

/// <summary>Decides, frame by frame, where a clip has speech.</summary>
public interface ISpeechDetector
{
    /// <summary>Rate the samples must have.</summary>
    int SampleRateHz { get; }

    /// <summary>Time between consecutive mask frames (0.01 s for the energy detector).</summary>
    double FrameHopSeconds { get; }

    /// <summary>Speech mask of a whole clip; frame i labels the span [i * hop, (i + 1) * hop).</summary>
    SpeechMask Detect(ReadOnlySpan<float> samples);
}
