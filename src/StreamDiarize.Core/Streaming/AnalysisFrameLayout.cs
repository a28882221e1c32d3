// The analysis frame the default analyzer writes and the online diarizer reads, as one named layout.
namespace StreamDiarize.Core.Streaming;

/// <summary>
/// One analysis frame: <c>[band energy dB, voicing, pitch lag, MFCC c0.., the hop's samples]</c>, the samples only
/// when a window embedder needs raw audio (<paramref name="HopSamples"/> &gt; 0). <see cref="DefaultFrameAnalyzer"/>
/// writes it and <see cref="FrameHistory"/> reads it, both through this type.
/// </summary>
/// <param name="MfccCount">MFCCs per frame, c0 included.</param>
/// <param name="HopSamples">Samples carried per frame; 0 for none.</param>
public readonly record struct AnalysisFrameLayout(int MfccCount, int HopSamples)
{
    private const int EnergyAt = 0;
    private const int VoicingAt = 1;
    private const int LagAt = 2;
    private const int MfccAt = 3;

    /// <summary>Values per frame.</summary>
    public int Dims => SamplesAt + HopSamples;

    private int SamplesAt => MfccAt + MfccCount;

    public static float EnergyDb(ReadOnlySpan<float> frame) => frame[EnergyAt];

    public static float Voicing(ReadOnlySpan<float> frame) => frame[VoicingAt];

    /// <summary>The autocorrelation peak lag in samples; 0 when unvoiced.</summary>
    public static float PitchLag(ReadOnlySpan<float> frame) => frame[LagAt];

    public ReadOnlySpan<float> Mfcc(ReadOnlySpan<float> frame) => frame.Slice(MfccAt, MfccCount);

    public ReadOnlySpan<float> Samples(ReadOnlySpan<float> frame) => frame.Slice(SamplesAt, HopSamples);

    /// <summary>Writes the speech and pitch cues of a frame.</summary>
    public static void WriteCues(Span<float> frame, float energyDb, float voicing, float pitchLag)
    {
        frame[EnergyAt] = energyDb;
        frame[VoicingAt] = voicing;
        frame[LagAt] = pitchLag;
    }

    public Span<float> MfccOf(Span<float> frame) => frame.Slice(MfccAt, MfccCount);

    public Span<float> SamplesOf(Span<float> frame) => frame.Slice(SamplesAt, HopSamples);
}
