// A per-frame speech decision on a fixed hop: what every downstream stage (embedding, labelling) reads.
namespace StreamDiarize.Core.Speech;

/// <summary>
/// <see cref="IsSpeech"/>[i] is true when frame i is speech; frame i labels [i * <see cref="HopSeconds"/>, (i + 1) * hop).
/// </summary>
public sealed record SpeechMask(bool[] IsSpeech, double HopSeconds)
{
    public int Frames => IsSpeech.Length;

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
