// Speaker embeddings without a model: mean and std of session-normalised MFCCs over the speech frames of sliding windows.
using StreamDiarize.Core.Features;

namespace StreamDiarize.Core.Embedding;

/// <summary>
/// The research pipeline's embedder (research/round1/pipeline.py window_embeddings + normalise_embeddings): MFCC c1..c19,
/// CMVN over the clip's speech frames, 1.5 s windows every 0.25 s with at least 30 % speech, [mean, std] of the speech
/// frames, then a z-score of each dimension across windows and L2 normalisation. Safe to share across threads.
/// </summary>
public sealed class WindowStatsEmbedder
{
    private readonly SttFeaturizer featurizer;
    private readonly WindowVectorizer vectorizer;

    public WindowStatsEmbedder(WindowStatsEmbedderOptions? options = null)
    {
        Options = (options ?? new WindowStatsEmbedderOptions()).Validate();
        featurizer = new SttFeaturizer(Options.Features);
        vectorizer = new WindowVectorizer(Options);
    }

    public WindowStatsEmbedderOptions Options { get; }

    public double FrameHopSeconds => Options.Features.HopSeconds;

    /// <summary>Frames of the MFCC (and a matching speech mask) for a signal of this many samples.</summary>
    public int FrameCount(int samples) => Options.Features.FrameCount(samples);

    /// <summary>
    /// Embeds the windows of <paramref name="samples"/>. <paramref name="speech"/> is the speech mask on the MFCC's
    /// frames; frames beyond its end count as non-speech, and mask frames beyond the MFCC's are ignored.
    /// </summary>
    /// <summary>The MFCCs the windows are built from (the featurizer is safe to call from any thread).</summary>
    public FeatureMatrix Features(ReadOnlySpan<float> samples) => featurizer.Compute(samples);

    public WindowEmbeddings Embed(ReadOnlySpan<float> samples, ReadOnlySpan<bool> speech)
    {
        var mfcc = featurizer.Compute(samples);
        return Embed(mfcc, speech);
    }

    /// <summary>
    /// Embeds from ready MFCCs (as <see cref="WindowStatsEmbedderOptions.Features"/> makes them): MFCC statistics only,
    /// <see cref="WindowStatsEmbedderOptions.Dims"/> long, whatever <see cref="WindowStatsEmbedderOptions.PitchWeight"/> says.
    /// </summary>
    public WindowEmbeddings Embed(FeatureMatrix mfcc, ReadOnlySpan<bool> speech) => Embed(mfcc, speech, [], []);

    /// <summary>
    /// Embeds from ready MFCCs and, when <see cref="WindowStatsEmbedderOptions.PitchWeight"/> is positive, the voicing and
    /// autocorrelation peak lag of each frame (as <see cref="Speech.SpeechMask"/> carries them; at least one per frame).
    /// Both empty means no pitch statistics.
    /// </summary>
    public WindowEmbeddings Embed(FeatureMatrix mfcc, ReadOnlySpan<bool> speech, ReadOnlySpan<double> voicing, ReadOnlySpan<int> lags) =>
        Embed(mfcc, speech, voicing, lags, []);

    /// <summary>
    /// As <see cref="Embed(FeatureMatrix, ReadOnlySpan{bool}, ReadOnlySpan{double}, ReadOnlySpan{int})"/>; in addition a
    /// window that holds a bridged pause (<paramref name="pauses"/>, as <see cref="Speech.SpeechMask.IsPause"/>; empty
    /// for none) gets no statistics for splitting: it likely spans two turns, and mixtures of two voices would look like
    /// a voice of their own to <see cref="Clustering.RecursiveSplitter"/>.
    /// </summary>
    public WindowEmbeddings Embed(FeatureMatrix mfcc, ReadOnlySpan<bool> speech, ReadOnlySpan<double> voicing, ReadOnlySpan<int> lags, ReadOnlySpan<bool> pauses)
    {
        int frames = mfcc.Frames;
        int first = Options.FirstCoefficient;
        int d = mfcc.Dims - first;
        double eps = Options.Epsilon;
        int pitchDims = voicing.IsEmpty && lags.IsEmpty ? 0 : Options.PitchDims;
        var empty = new WindowEmbeddings([], Options.Dims + pitchDims, [], FrameHopSeconds);
        if (d != Options.CoefficientCount)
        {
            throw new ArgumentException($"The MFCC has {mfcc.Dims} coefficients; the options expect {Options.Features.MfccCount}.", nameof(mfcc));
        }
        if (pitchDims > 0 && (voicing.Length < frames || lags.Length < frames))
        {
            throw new ArgumentException($"Pitch statistics need voicing and a lag for each of the {frames} frames; got {voicing.Length} and {lags.Length}.", nameof(voicing));
        }

        // Frames that feed the statistics: speech frames, and with the voicing cue possibly only the voiced ones. The
        // session's embeddings and the statistics kept for splitting may use different frames.
        int usable = Math.Min(frames, speech.Length);
        bool withVoicing = pitchDims > 0;
        double sessionVoicing = withVoicing ? Options.StatisticsVoicingThreshold : 0;
        double splitVoicing = withVoicing ? Options.SplitVoicingThreshold : 0;
        var clip = new ClipFrames(mfcc, first, speech, voicing, lags);
        var sessionCmvn = SessionCmvn(clip, sessionVoicing, usable, d);
        if (sessionCmvn is null)
        {
            return empty;
        }
        bool separate = splitVoicing != sessionVoicing;
        var splitCmvn = separate ? SessionCmvn(clip, splitVoicing, usable, d) : sessionCmvn;

        int dims = Options.Dims;
        var data = new List<double>();
        var splitData = separate ? new List<double>() : data;
        var pitch = new List<double>();
        var centres = new List<int>();
        var scratch = new double[2 * d];
        var pair = new double[2];
        foreach (int start in KeptWindowStarts(speech, frames, usable))
        {
            int end = Math.Min(start + vectorizer.WindowFrames, usable);
            if (!AppendStatistics(clip, sessionCmvn, sessionVoicing, start, end, d, scratch, data))
            {
                continue;
            }
            if (separate && (splitCmvn is null || HoldsPause(pauses, start, end) || !AppendStatistics(clip, splitCmvn, splitVoicing, start, end, d, scratch, splitData)))
            {
                // Too few frames for the splitting statistics: the splitter leaves this window to its nearest cluster.
                for (int k = 0; k < dims; k++)
                {
                    splitData.Add(double.NaN);
                }
            }
            if (pitchDims > 0)
            {
                vectorizer.Pitch(clip, start, end, pair);
                pitch.Add(pair[0]);
                pitch.Add(pair[1]);
            }
            centres.Add((int)vectorizer.Centre(start));
        }

        var pitchArray = pitchDims > 0 ? pitch.ToArray() : null;
        var session = new WindowStatistics(data.ToArray(), dims, pitchArray, Options.PitchWeight, eps);
        var forSplitting = separate ? new WindowStatistics(splitData.ToArray(), dims, pitchArray, Options.PitchWeight, eps) : session;
        return new WindowEmbeddings(session.NormaliseAll(), session.Dims, [.. centres], FrameHopSeconds) { Statistics = forSplitting };
    }

    private static bool HoldsPause(ReadOnlySpan<bool> pauses, int start, int end)
    {
        for (int t = start; t < Math.Min(end, pauses.Length); t++)
        {
            if (pauses[t])
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The mean and inverse deviation (population, as numpy's std) of each coefficient over the clip's usable frames;
    /// null when fewer than <see cref="WindowStatsEmbedderOptions.MinSpeechFrames"/> are used. The normalisation is
    /// applied to the window statistics, not stored per frame, so an hour of audio needs no second copy of its coefficients.
    /// </summary>
    private Cmvn? SessionCmvn(ClipFrames clip, double voicedAbove, int usable, int d)
    {
        var mean = new double[d];
        var scale = new double[d];
        if (WindowVectorizer.Moments(clip, 0, usable, voicedAbove, Options.MinSpeechFrames, mean, scale) < Options.MinSpeechFrames)
        {
            return null;
        }
        for (int k = 0; k < d; k++)
        {
            scale[k] = 1.0 / (scale[k] + Options.Epsilon);
        }
        return new Cmvn(mean, scale);
    }

    private sealed record Cmvn(double[] Mean, double[] Scale);

    /// <summary>
    /// Appends the mean (and with <see cref="WindowStatsEmbedderOptions.IncludeStd"/> the deviation) of the usable frames
    /// in [start, end); false, appending nothing, when fewer than <see cref="WindowStatsEmbedderOptions.MinStatisticsFrames"/> are used.
    /// </summary>
    private bool AppendStatistics(ClipFrames clip, Cmvn cmvn, double voicedAbove, int start, int end, int d, double[] scratch, List<double> data)
    {
        var mean = scratch.AsSpan(0, d);
        var deviation = Options.IncludeStd ? scratch.AsSpan(d, d) : [];
        if (WindowVectorizer.Moments(clip, start, end, voicedAbove, Options.MinStatisticsFrames, mean, deviation) < Options.MinStatisticsFrames)
        {
            return false;
        }
        // CMVN is affine per coefficient: the mean maps through it, the deviation only scales.
        for (int k = 0; k < d; k++)
        {
            data.Add((mean[k] - cmvn.Mean[k]) * cmvn.Scale[k]);
        }
        for (int k = 0; k < deviation.Length; k++)
        {
            data.Add(deviation[k] * cmvn.Scale[k]);
        }
        return true;
    }

    /// <summary>The clip's frames as the window statistics read them.</summary>
    private readonly ref struct ClipFrames : IWindowFrames
    {
        private readonly FeatureMatrix _mfcc;
        private readonly int _first;
        private readonly ReadOnlySpan<bool> _speech;
        private readonly ReadOnlySpan<double> _voicing;
        private readonly ReadOnlySpan<int> _lags;

        public ClipFrames(FeatureMatrix mfcc, int first, ReadOnlySpan<bool> speech, ReadOnlySpan<double> voicing, ReadOnlySpan<int> lags)
        {
            _mfcc = mfcc;
            _first = first;
            _speech = speech;
            _voicing = voicing;
            _lags = lags;
        }

        public bool IsSpeech(long frame) => _speech[(int)frame];

        public double Voicing(long frame) => _voicing[(int)frame];

        public double PitchLag(long frame) => _lags[(int)frame];

        public ReadOnlySpan<float> Coefficients(long frame) => _mfcc.Row((int)frame)[_first..];
    }

    /// <summary>z-score of each dimension over the windows whose value is not NaN (NaN stays NaN).</summary>
    internal static void ZScore(double[] data, int count, int dims, double eps)
    {
        for (int k = 0; k < dims; k++)
        {
            double mean = 0;
            int n = 0;
            for (int w = 0; w < count; w++)
            {
                double x = data[w * dims + k];
                if (!double.IsNaN(x))
                {
                    mean += x;
                    n++;
                }
            }
            if (n == 0)
            {
                continue;
            }
            mean /= n;
            double ss = 0;
            for (int w = 0; w < count; w++)
            {
                double x = data[w * dims + k];
                if (!double.IsNaN(x))
                {
                    ss += (x - mean) * (x - mean);
                }
            }
            double scale = 1.0 / (Math.Sqrt(ss / n) + eps);
            for (int w = 0; w < count; w++)
            {
                data[w * dims + k] = (data[w * dims + k] - mean) * scale;
            }
        }
    }

    /// <summary>
    /// Embeds the same windows as <see cref="Embed(ReadOnlySpan{float}, ReadOnlySpan{bool})"/> (same placement, same speech
    /// fraction rule, same minimum of speech) with <paramref name="windowEmbedder"/> instead of MFCC statistics. A window
    /// covers <see cref="WindowStatsEmbedderOptions.WindowSeconds"/> of samples from its first frame's start (shorter at the
    /// end of the clip). The embeddings are z-scored across windows only if the embedder asks for it, then L2-normalised.
    /// </summary>
    public WindowEmbeddings EmbedWith(IWindowEmbedder windowEmbedder, ReadOnlyMemory<float> samples, ReadOnlySpan<bool> speech)
    {
        ArgumentNullException.ThrowIfNull(windowEmbedder);
        if (windowEmbedder.SampleRateHz != Options.Features.SampleRateHz)
        {
            throw new ArgumentException(
                $"The window embedder takes {windowEmbedder.SampleRateHz} Hz audio; the pipeline runs at {Options.Features.SampleRateHz} Hz.", nameof(windowEmbedder));
        }
        int dims = windowEmbedder.Dimension;
        int frames = FrameCount(samples.Length);
        int usable = Math.Min(frames, speech.Length);
        int speechFrames = 0;
        for (int t = 0; t < usable; t++)
        {
            speechFrames += speech[t] ? 1 : 0;
        }
        if (speechFrames < Options.MinSpeechFrames)
        {
            return new WindowEmbeddings([], dims, [], FrameHopSeconds);
        }

        var ranges = new List<SampleRange>();
        var centres = new List<int>();
        foreach (int start in KeptWindowStarts(speech, frames, usable))
        {
            ranges.Add(new SampleRange(start * vectorizer.HopSamples, vectorizer.SampleCount(start, samples.Length)));
            centres.Add((int)vectorizer.Centre(start));
        }

        // In slices, so an hour of audio never needs all its windows' model inputs at once.
        const int Slice = 64;
        var output = new float[Slice * dims];
        var data = new double[(long)ranges.Count * dims];
        var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ranges);
        for (int i = 0; i < ranges.Count; i += Slice)
        {
            int n = Math.Min(Slice, ranges.Count - i);
            windowEmbedder.EmbedWindows(samples, all.Slice(i, n), output.AsSpan(0, n * dims));
            for (int k = 0; k < n * dims; k++)
            {
                data[(long)i * dims + k] = output[k];
            }
        }
        if (windowEmbedder.ZScoreAcrossWindows)
        {
            NormaliseAcrossWindows(data, ranges.Count, dims, Options.Epsilon);
        }
        else
        {
            NormaliseLengths(data, ranges.Count, dims, Options.Epsilon);
        }
        return new WindowEmbeddings(data, dims, [.. centres], FrameHopSeconds);
    }

    /// <summary>
    /// Start frames of the windows the rules keep: every hop from frame 0 (the research's range(0, max(1, n - wl + 1), hp),
    /// which also gives one short window on a short clip), with at least MinSpeechFraction of speech frames.
    /// </summary>
    private List<int> KeptWindowStarts(ReadOnlySpan<bool> speech, int frames, int usable)
    {
        int windowFrames = vectorizer.WindowFrames;
        var starts = new List<int>();
        int lastStart = Math.Max(1, frames - windowFrames + 1);
        for (int start = 0; start < lastStart; start += vectorizer.HopFrames)
        {
            int end = Math.Min(start + windowFrames, usable);
            int count = 0;
            for (int t = start; t < end; t++)
            {
                count += speech[t] ? 1 : 0;
            }
            if (vectorizer.Keeps(count))
            {
                starts.Add(start);
            }
        }
        return starts;
    }

    /// <summary>z-score each dimension over the clip's windows, then scale each window to unit length (plus epsilon).</summary>
    internal static void NormaliseAcrossWindows(double[] data, int count, int dims, double eps)
    {
        if (count == 0)
        {
            return;
        }
        for (int k = 0; k < dims; k++)
        {
            double mean = 0;
            for (int w = 0; w < count; w++)
            {
                mean += data[w * dims + k];
            }
            mean /= count;
            double ss = 0;
            for (int w = 0; w < count; w++)
            {
                double x = data[w * dims + k] - mean;
                ss += x * x;
            }
            double scale = 1.0 / (Math.Sqrt(ss / count) + eps);
            for (int w = 0; w < count; w++)
            {
                data[w * dims + k] = (data[w * dims + k] - mean) * scale;
            }
        }
        NormaliseLengths(data, count, dims, eps);
    }

    /// <summary>Scales each window to unit length (plus epsilon).</summary>
    internal static void NormaliseLengths(double[] data, int count, int dims, double eps)
    {
        for (int w = 0; w < count; w++)
        {
            var row = data.AsSpan(w * dims, dims);
            double norm = 0;
            foreach (double x in row)
            {
                norm += x * x;
            }
            double inv = 1.0 / (Math.Sqrt(norm) + eps);
            for (int k = 0; k < dims; k++)
            {
                row[k] *= inv;
            }
        }
    }
}
