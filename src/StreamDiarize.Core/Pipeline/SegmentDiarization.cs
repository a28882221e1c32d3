// The offline path of the segment representation: speech mask and MFCCs in, one speaker label per frame out.
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Pipeline;

/// <summary>
/// Phrase segments (<see cref="PhraseCutter"/>) of the speech that is not a bridged pause, one Gaussian each;
/// <see cref="SegmentClusterer"/> labels the long ones, short ones join the nearest cluster, and pauses take a speaker
/// only inside one speaker's turn. The live diarizer cuts and clusters the same way (Streaming/SegmentOnlineDiarizer).
/// </summary>
public static class SegmentDiarization
{
    /// <summary>
    /// Frame labels (-1 for non-speech) for <paramref name="mask"/>'s frames. <paramref name="voicing"/> and
    /// <paramref name="pitchLags"/> (one per frame, as <see cref="SpeechMask.Voicing"/> and <see cref="SpeechMask.PitchLags"/>)
    /// give the pitch at <paramref name="sampleRateHz"/>; empty leaves it out.
    /// </summary>
    /// <param name="knownVoices">Enrolled voices the clustering keeps apart (<see cref="SegmentClusterer.Cluster"/>); null for none.</param>
    public static int[] LabelFrames(SpeechMask mask, FeatureMatrix mfcc, SegmentClusterer clusterer, ClusterCountLimits limits,
        ReadOnlySpan<double> voicing = default, ReadOnlySpan<int> pitchLags = default, int sampleRateHz = 16000,
        IReadOnlyList<GaussianStats>? knownVoices = null)
    {
        var o = clusterer.Options;
        int frames = Math.Min(mask.Frames, mfcc.Frames);
        if (mfcc.Dims < o.FirstCoefficient + o.Coefficients)
        {
            throw new ArgumentException($"The MFCC has {mfcc.Dims} coefficients; the segment model needs {o.FirstCoefficient + o.Coefficients}.", nameof(mfcc));
        }
        var pauses = mask.IsPause;
        var cutter = new PhraseCutter(o.MaxSegmentFrames(mask.HopSeconds));
        var segments = new List<(int Start, int End)>();
        for (int i = 0; i <= frames; i++)
        {
            bool usable = i < frames && mask.IsSpeech[i] && (pauses is null || !pauses[i]);
            if (i < frames ? cutter.Push(i, usable, out long s, out long e) : cutter.Finish(frames, out s, out e))
            {
                segments.Add(((int)s, (int)e));
            }
        }

        double pitchThreshold = voicing.Length >= frames && pitchLags.Length >= frames ? o.PitchVoicingThreshold : 0;
        var stats = new List<GaussianStats>(segments.Count);
        var session = new GaussianStats(o.Coefficients);
        foreach (var (start, end) in segments)
        {
            var g = new GaussianStats(o.Coefficients);
            for (int f = start; f < end; f++)
            {
                g.Add(mfcc.Row(f).Slice(o.FirstCoefficient, o.Coefficients));
                if (pitchThreshold > 0 && voicing[f] >= pitchThreshold && pitchLags[f] > 0)
                {
                    g.AddAux(PitchAccumulator.LogF0(pitchLags[f], sampleRateHz));
                }
            }
            stats.Add(g);
            session.Add(g);
        }
        var floor = clusterer.Floor(session);
        var segmentLabels = LabelSegments(stats, mask.HopSeconds, floor, clusterer, limits, knownVoices);

        var labels = new int[mask.Frames];
        Array.Fill(labels, -1);
        for (int i = 0; i < segments.Count; i++)
        {
            labels.AsSpan(segments[i].Start, segments[i].End - segments[i].Start).Fill(segmentLabels[i]);
        }
        // A bridged pause between two segments of one speaker is that speaker's speech in the frame pass, else a gap; after
        // the pass each pause is decided again on the labels the pass gave, so a pause dropped around a short phrase that
        // the pass gave back to the same speaker is speech again (and one the pass put between two speakers is dropped):
        // real-dev 3.55 -> 3.08 %, every development set better (docs/ACCURACY.md, round 12).
        if (pauses is not null)
        {
            DefaultDiarizer.DropPausesBetweenSpeakers(labels, pauses);
        }
        FrameResegmenter.Apply(labels, mfcc, o.FirstCoefficient, o.Coefficients, floor, o.ResegmentPenalty,
            (int)Math.Round(o.ResegmentFreeGapSeconds / mask.HopSeconds), limits.Min);
        if (pauses is not null)
        {
            DefaultDiarizer.DropPausesBetweenSpeakers(labels, pauses);
        }
        // A pad never covers digital silence (the detector marks it), where no quiet syllable can be.
        PadTurns(labels, (int)Math.Round(o.TurnEndPadSeconds / mask.HopSeconds), (int)Math.Round(o.TurnStartPadSeconds / mask.HopSeconds),
            mask.IsDigitalSilence);
        return labels;
    }

    /// <summary>
    /// In place: up to <paramref name="endFrames"/> silent frames (-1) after each run of a speaker's frames take that speaker,
    /// then up to <paramref name="startFrames"/> silent frames before each run take the speaker after them
    /// (<see cref="SegmentClusteringOptions.TurnEndPadSeconds"/>, <see cref="SegmentClusteringOptions.TurnStartPadSeconds"/>).
    /// A pad stops at the next speech and at a frame <paramref name="never"/> marks.
    /// </summary>
    public static void PadTurns(int[] labels, int endFrames, int startFrames, ReadOnlySpan<bool> never = default)
    {
        if (endFrames <= 0 && startFrames <= 0)
        {
            return;
        }
        int n = labels.Length;
        // Ends first, on the labels as they came (each run's end is found before any pad is written after it).
        for (int i = 1; i < n; i++)
        {
            if (labels[i - 1] >= 0 && labels[i] < 0)
            {
                int speaker = labels[i - 1];
                int stop = Math.Min(n, i + endFrames);
                int k = i;
                for (; k < stop && labels[k] < 0 && !(k < never.Length && never[k]); k++)
                {
                    labels[k] = speaker;
                }
                i = k;
            }
        }
        // Then starts, backwards from each run into the silence the end pads left.
        for (int i = n - 2; i >= 0; i--)
        {
            if (labels[i + 1] >= 0 && labels[i] < 0)
            {
                int speaker = labels[i + 1];
                int stop = Math.Max(-1, i - startFrames);
                int k = i;
                for (; k > stop && labels[k] < 0 && !(k < never.Length && never[k]); k--)
                {
                    labels[k] = speaker;
                }
                i = k;
            }
        }
    }

    /// <summary>Long segments clustered, then each short one given to the cluster that explains it best.</summary>
    private static int[] LabelSegments(List<GaussianStats> stats, double hopSeconds, double[] floor, SegmentClusterer clusterer, ClusterCountLimits limits,
        IReadOnlyList<GaussianStats>? knownVoices)
    {
        int minFrames = clusterer.Options.MinSegmentFrames(hopSeconds);
        var labels = new int[stats.Count];
        var longOnes = new List<GaussianStats>();
        var longIndex = new List<int>();
        for (int i = 0; i < stats.Count; i++)
        {
            if (stats[i].Count >= minFrames)
            {
                longOnes.Add(stats[i]);
                longIndex.Add(i);
            }
        }
        if (longOnes.Count == 0)
        {
            // Too little speech in long phrases to compare voices: all of it is one speaker.
            return labels;
        }
        var longLabels = clusterer.Cluster(longOnes, floor, limits, hopSeconds: hopSeconds, knownVoices: knownVoices);
        Array.Fill(labels, -1);
        for (int x = 0; x < longIndex.Count; x++)
        {
            labels[longIndex[x]] = longLabels[x];
        }
        SegmentClusterer.AssignUnlabelled(SegmentClusterer.Pool(longOnes, longLabels), stats, labels, floor);
        return labels;
    }
}
