// A per-frame speech decision on a fixed hop: what every downstream stage (embedding, labelling) reads.
namespace StreamDiarize.Core.Speech;

/// <summary>
/// <see cref="IsSpeech"/>[i] is true when frame i is speech; frame i labels [i * <see cref="HopSeconds"/>, (i + 1) * hop).
/// </summary>
public sealed record SpeechMask(bool[] IsSpeech, double HopSeconds)
{
    public int Frames => IsSpeech.Length;

    /// <summary>
    /// Speech frames that only gap filling made speech: pauses of at least <see cref="EnergySpeechDetectorOptions.PauseSeconds"/>
    /// inside a region. Null when the detector does not mark them. A diarizer keeps a pause only inside one speaker's
    /// turn, because a pause between two speakers' turns is silence in an exact reference.
    /// </summary>
    public bool[]? IsPause { get; init; }

    /// <summary>
    /// Frames of digital silence (exact zeros: a muted microphone, a gated or synthetic voice's gaps; band energy at or under
    /// <see cref="EnergySpeechDetectorOptions.DigitalSilenceDb"/>). Null when the detector does not mark them.
    /// </summary>
    public bool[]? IsDigitalSilence { get; init; }

    /// <summary>
    /// Per-frame voicing (<see cref="VoicingEstimator"/>) where the detector computed it, 0 elsewhere; null when it did
    /// not. Every speech frame of the mask has its value. Read by the pitch statistics of the window embedding.
    /// </summary>
    public double[]? Voicing { get; init; }

    /// <summary>Per-frame autocorrelation peak lag (samples), beside <see cref="Voicing"/>; 0 where not computed.</summary>
    public int[]? PitchLags { get; init; }

    public int SpeechFrameCount
    {
        get
        {
            int n = 0;
            foreach (bool s in IsSpeech)
            {
                n += s ? 1 : 0;
            }
            return n;
        }
    }

    /// <summary>Runs of speech frames as (start, end) seconds, end exclusive.</summary>
    public IReadOnlyList<(double StartSeconds, double EndSeconds)> Regions()
    {
        var regions = new List<(double, double)>();
        int i = 0;
        while (i < IsSpeech.Length)
        {
            if (!IsSpeech[i])
            {
                i++;
                continue;
            }
            int j = i;
            while (j < IsSpeech.Length && IsSpeech[j])
            {
                j++;
            }
            regions.Add((i * HopSeconds, j * HopSeconds));
            i = j;
        }
        return regions;
    }
}
