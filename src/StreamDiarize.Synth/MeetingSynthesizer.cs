// Builds a synthetic meeting: casts TTS voices as speakers, plans turns, pauses and overlaps, mixes them and records the truth.
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;
using StreamDiarize.Synth.Voices;

namespace StreamDiarize.Synth;

/// <summary>
/// Generates a meeting from <see cref="MeetingSynthOptions"/>. Each speaker gets a pool of synthesized sentences
/// (rendered once, in parallel) that are reused to fill its turns, so a 60-minute meeting needs a few hundred TTS
/// calls, not thousands. Segment times are the sample positions where trimmed speech was placed: the RTTM is exact.
/// </summary>
public sealed class MeetingSynthesizer
{
    /// <summary>Every utterance is levelled to this RMS (about -22 dBFS); SNR is measured against it.</summary>
    public const float SpeechRms = 0.08f;

    private const double LeadInSeconds = 0.5;
    private const double TailSeconds = 0.3;
    private const double MinOverlapSeconds = 0.2;

    // Pauses between sentences inside one turn; short enough that annotators would not split the turn there.
    private const double MinPauseInTurnSeconds = 0.1;
    private const double MaxPauseInTurnSeconds = 0.3;

    private readonly Lazy<VoiceBank> _bank;

    // Rendered sentences by (voice, text): a second meeting with the same seed or speakers reuses them instead of
    // running the engines again. The arrays are never written after rendering, so sharing them is safe.
    private readonly ConcurrentDictionary<(string Voice, string Text), float[]> _utterances = new();

    /// <summary>Uses the TTS engines found on PATH (detected on first use).</summary>
    public MeetingSynthesizer() => _bank = new Lazy<VoiceBank>(() => VoiceBank.Detect());

    public MeetingSynthesizer(VoiceBank bank) => _bank = new Lazy<VoiceBank>(bank);

    public VoiceBank Bank => _bank.Value;

    /// <summary>
    /// Synthesizes the meeting named <paramref name="id"/> (the RTTM file id). Throws <see cref="Core.Options.OptionsValidationException"/>
    /// listing every invalid option, or <see cref="TtsUnavailableException"/> when too few voices are installed.
    /// </summary>
    public SynthesizedMeeting Synthesize(MeetingSynthOptions options, string id, CancellationToken ct = default)
    {
        options.ThrowIfInvalid();
        if (string.IsNullOrWhiteSpace(id) || id.Any(char.IsWhiteSpace) || id.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new ArgumentException($"meeting id '{id}' is invalid: RTTM file ids need a non-empty name without spaces or slashes", nameof(id));
        }
        var voices = Bank.Cast(options.Speakers);
        var pools = RenderPools(voices, options, ct);
        int rate = options.SampleRateHz;
        var mix = new float[(int)Math.Round(options.DurationSeconds * rate)];
        var segments = PlaceTurns(pools, options, mix, ct);
        if (options.SnrDb is double snr)
        {
            NoiseGenerator.AddTo(mix, options.Noise, SpeechRms / Math.Pow(10, snr / 20), unchecked(options.Seed * 7919 + 17));
        }
        AvoidClipping(mix);
        var speakers = Enumerable.Range(0, voices.Count).Select(SpeakerId).ToList();
        return new SynthesizedMeeting(new AudioClip(id, mix, rate), segments, speakers, voices);
    }

    public static string SpeakerId(int index) => $"spk{index}";

    /// <summary>The number of distinct sentences per speaker: enough that turns rarely repeat, capped to keep TTS time small.</summary>
    internal static int PoolSize(MeetingSynthOptions options) =>
        options.UtterancesPerSpeaker ?? Math.Clamp((int)Math.Ceiling(options.DurationSeconds / options.Speakers / 3.0) + 4, 8, 30);

    private float[][][] RenderPools(IReadOnlyList<SynthVoice> voices, MeetingSynthOptions options, CancellationToken ct)
    {
        int poolSize = PoolSize(options);
        var jobs = new List<(int Speaker, int Index, string Text)>();
        for (int k = 0; k < voices.Count; k++)
        {
            // One text stream per speaker, so a speaker's sentences do not change when another speaker is added.
            var rng = new Random(unchecked(options.Seed * 31 + 1000 + k));
            for (int i = 0; i < poolSize; i++)
            {
                // Lengths spread from a backchannel ("okay") to about 16 words, so both short and long turns can be filled.
                int words = 1 + (int)Math.Round(15.0 * i / Math.Max(1, poolSize - 1)) + rng.Next(2);
                jobs.Add((k, i, SentenceGenerator.Next(rng, words)));
            }
        }
        var pools = new float[voices.Count][][];
        for (int k = 0; k < pools.Length; k++)
        {
            pools[k] = new float[poolSize][];
        }
        var temp = Path.Combine(Path.GetTempPath(), "streamdiarize-synth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            var renderer = new UtteranceRenderer(Bank.Tools, temp, SpeechRms);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
            Parallel.ForEach(jobs, parallel, job =>
            {
                var voice = voices[job.Speaker];
                pools[job.Speaker][job.Index] = _utterances.GetOrAdd((voice.Name, job.Text), key => renderer.Render(voice, key.Text, ct));
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // Parallel.ForEach wraps failures; the caller should see the first real one (missing engine, bad voice).
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            throw;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
        return pools;
    }

    /// <summary>Plans the turns on the sample clock, adds each turn's speech into <paramref name="mix"/>, and returns the segments.</summary>
    private static List<SpeakerSegment> PlaceTurns(float[][][] pools, MeetingSynthOptions options, float[] mix, CancellationToken ct)
    {
        int rate = options.SampleRateHz;
        int speakers = pools.Length;
        int lastUsable = mix.Length - (int)(TailSeconds * rate);
        var rng = new Random(options.Seed);
        // The first turns visit every speaker once, in a seeded order, so short meetings still have all of them.
        var firstRound = Enumerable.Range(0, speakers).OrderBy(_ => rng.Next()).ToArray();
        var segments = new List<SpeakerSegment>();
        var pieces = new List<(float[] Samples, int Offset)>();
        int lastSpeaker = -1;
        int lastStart = 0;
        int lastEnd = 0;
        for (int turn = 0; ; turn++)
        {
            ct.ThrowIfCancellationRequested();
            int speaker = turn < speakers ? firstRound[turn] : NextSpeaker(rng, speakers, lastSpeaker);
            double targetSeconds = Math.Exp(Uniform(rng, Math.Log(options.MinTurnSeconds), Math.Log(options.MaxTurnSeconds)));
            bool overlap = turn > 0 && rng.NextDouble() < options.OverlapProbability;
            double gapSeconds = Uniform(rng, options.MinGapSeconds, options.MaxGapSeconds);
            double overlapSeconds = Uniform(rng, MinOverlapSeconds, Math.Max(MinOverlapSeconds, options.MaxOverlapSeconds));
            int start = turn == 0 ? (int)(LeadInSeconds * rate)
                : overlap ? lastEnd
                : lastEnd + (int)Math.Round(gapSeconds * rate);
            if (turn < speakers)
            {
                // Leave room for the speakers not yet heard: share what is left among them.
                double leftSeconds = (double)(lastUsable - start) / rate;
                targetSeconds = Math.Min(targetSeconds, leftSeconds / (speakers - turn) - options.MaxGapSeconds);
            }
            int maxLength = lastUsable - start;
            int length = BuildTurn(pools[speaker], (int)(targetSeconds * rate), maxLength, rng, rate, pieces);
            if (length == 0)
            {
                break;
            }
            if (overlap)
            {
                // Cut in by the drawn amount, but never by more than half of either turn: both stay mostly alone.
                int cut = Math.Min((int)Math.Round(overlapSeconds * rate), Math.Min((lastEnd - lastStart) / 2, length / 2));
                start = lastEnd - cut;
            }
            foreach (var (samples, offset) in pieces)
            {
                var target = mix.AsSpan(start + offset, samples.Length);
                for (int i = 0; i < samples.Length; i++)
                {
                    target[i] += samples[i];
                }
            }
            segments.Add(new SpeakerSegment((double)start / rate, (double)(start + length) / rate, SpeakerId(speaker)));
            lastSpeaker = speaker;
            lastStart = start;
            lastEnd = start + length;
        }
        return segments;
    }

    /// <summary>
    /// Fills <paramref name="pieces"/> with sentences from <paramref name="pool"/> (and their offsets in the turn) up to about
    /// <paramref name="targetSamples"/>, never past <paramref name="maxSamples"/>; returns the turn length, 0 if nothing fits.
    /// </summary>
    private static int BuildTurn(float[][] pool, int targetSamples, int maxSamples, Random rng, int rate, List<(float[] Samples, int Offset)> pieces)
    {
        pieces.Clear();
        var fitting = new List<float[]>();
        int length = 0;
        float[]? previous = null;
        while (true)
        {
            int pause = pieces.Count == 0 ? 0 : (int)Math.Round(Uniform(rng, MinPauseInTurnSeconds, MaxPauseInTurnSeconds) * rate);
            int room = Math.Min(targetSamples, maxSamples) - length - pause;
            fitting.Clear();
            foreach (var utterance in pool)
            {
                if (utterance.Length <= room && (utterance != previous || pool.Length == 1))
                {
                    fitting.Add(utterance);
                }
            }
            if (fitting.Count == 0 && pieces.Count == 0)
            {
                // A turn shorter than every sentence: say the shortest one if the meeting still has room for it.
                var shortest = pool.MinBy(u => u.Length)!;
                if (shortest.Length <= maxSamples)
                {
                    fitting.Add(shortest);
                }
            }
            if (fitting.Count == 0)
            {
                return length;
            }
            var chosen = fitting[rng.Next(fitting.Count)];
            pieces.Add((chosen, length + pause));
            length += pause + chosen.Length;
            previous = chosen;
        }
    }

    private static int NextSpeaker(Random rng, int speakers, int last)
    {
        // Uniform over the others: a speaker never follows itself, which would just be a longer turn.
        int next = rng.Next(speakers - 1);
        return next >= last ? next + 1 : next;
    }

    private static double Uniform(Random rng, double min, double max) => min + (max - min) * rng.NextDouble();

    /// <summary>Overlapped speech plus noise can exceed full scale; scale the whole mix down rather than clip it.</summary>
    private static void AvoidClipping(float[] mix)
    {
        float peak = 0;
        foreach (var s in mix)
        {
            peak = Math.Max(peak, Math.Abs(s));
        }
        if (peak > 0.99f)
        {
            float gain = 0.99f / peak;
            for (int i = 0; i < mix.Length; i++)
            {
                mix[i] *= gain;
            }
        }
    }
}
