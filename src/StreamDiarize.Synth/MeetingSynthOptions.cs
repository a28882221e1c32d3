// What a synthetic meeting looks like: speakers, length, turn and pause statistics, overlap and noise; validated all at once.
namespace StreamDiarize.Synth;

/// <summary>The kind of additive background noise.</summary>
public enum NoiseKind
{
    /// <summary>Flat spectrum, like fan or line hiss.</summary>
    White,

    /// <summary>1/f spectrum, closer to room and crowd noise.</summary>
    Pink,
}

/// <summary>
/// Describes a synthetic meeting. The product range is 1 to 60 minutes (<see cref="MinProductDurationSeconds"/> to
/// <see cref="MaxDurationSeconds"/>); durations down to <see cref="MinDurationSeconds"/> are allowed so tests stay fast.
/// </summary>
public sealed record MeetingSynthOptions
{
    public const int MinSpeakers = 2;
    public const int MaxSpeakers = 8;
    public const double MinDurationSeconds = 5;
    public const double MinProductDurationSeconds = 60;
    public const double MaxDurationSeconds = 3600;
    public const int SupportedSampleRateHz = 16000;

    /// <summary>Distinct speakers, each a different TTS voice: 2 to 8.</summary>
    public int Speakers { get; init; } = 4;

    /// <summary>Length of the recording; the WAV holds exactly this many seconds of samples.</summary>
    public double DurationSeconds { get; init; } = 300;

    /// <summary>Same seed and options, same voices installed: same RTTM and same audio.</summary>
    public int Seed { get; init; }

    /// <summary>Turn lengths are drawn log-uniformly between these two (many short turns, some long ones).</summary>
    public double MinTurnSeconds { get; init; } = 1.0;

    public double MaxTurnSeconds { get; init; } = 12.0;

    /// <summary>Silence between the end of one turn and the start of the next, drawn uniformly; 0 means back-to-back.</summary>
    public double MinGapSeconds { get; init; } = 0.1;

    public double MaxGapSeconds { get; init; } = 1.5;

    /// <summary>Chance that the next speaker starts before the current one ends (0 = never, 1 = every turn).</summary>
    public double OverlapProbability { get; init; }

    /// <summary>How far at most the next speaker cuts in; also never more than half of either turn.</summary>
    public double MaxOverlapSeconds { get; init; } = 1.5;

    /// <summary>Signal-to-noise ratio of additive noise against the speech level; null adds no noise (silent gaps).</summary>
    public double? SnrDb { get; init; }

    public NoiseKind Noise { get; init; } = NoiseKind.Pink;

    /// <summary>Only 16 kHz, the rate of the whole pipeline.</summary>
    public int SampleRateHz { get; init; } = SupportedSampleRateHz;

    /// <summary>
    /// Distinct sentences synthesized per speaker and reused to fill turns; null picks a size from the meeting length
    /// (8 to 30), which keeps a 60-minute meeting fast without obvious repetition inside a turn.
    /// </summary>
    public int? UtterancesPerSpeaker { get; init; }

    /// <summary>Every problem with these options, each saying what is allowed.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (Speakers is < MinSpeakers or > MaxSpeakers)
        {
            errors.Add($"speakers {Speakers} is invalid: give {MinSpeakers} to {MaxSpeakers}");
        }
        if (!double.IsFinite(DurationSeconds) || DurationSeconds < MinDurationSeconds || DurationSeconds > MaxDurationSeconds)
        {
            errors.Add($"duration {DurationSeconds} s is invalid: give {MinDurationSeconds} to {MaxDurationSeconds} s (meetings are 1 to 60 minutes; under a minute is for tests)");
        }
        if (!double.IsFinite(MinTurnSeconds) || MinTurnSeconds is < 0.5 or > 60)
        {
            errors.Add($"minimum turn {MinTurnSeconds} s is invalid: give 0.5 to 60 s");
        }
        if (!double.IsFinite(MaxTurnSeconds) || MaxTurnSeconds is < 0.5 or > 120 || MaxTurnSeconds < MinTurnSeconds)
        {
            errors.Add($"maximum turn {MaxTurnSeconds} s is invalid: give 0.5 to 120 s, and no less than the minimum turn ({MinTurnSeconds} s)");
        }
        if (!double.IsFinite(MinGapSeconds) || MinGapSeconds is < 0 or > 10)
        {
            errors.Add($"minimum gap {MinGapSeconds} s is invalid: give 0 to 10 s");
        }
        if (!double.IsFinite(MaxGapSeconds) || MaxGapSeconds is < 0 or > 10 || MaxGapSeconds < MinGapSeconds)
        {
            errors.Add($"maximum gap {MaxGapSeconds} s is invalid: give 0 to 10 s, and no less than the minimum gap ({MinGapSeconds} s)");
        }
        if (!double.IsFinite(OverlapProbability) || OverlapProbability is < 0 or > 1)
        {
            errors.Add($"overlap probability {OverlapProbability} is invalid: give 0 (never) to 1 (every turn)");
        }
        if (!double.IsFinite(MaxOverlapSeconds) || MaxOverlapSeconds is < 0.1 or > 5)
        {
            errors.Add($"maximum overlap {MaxOverlapSeconds} s is invalid: give 0.1 to 5 s");
        }
        if (SnrDb is double snr && (!double.IsFinite(snr) || snr is < -10 or > 60))
        {
            errors.Add($"SNR {snr} dB is invalid: give -10 to 60 dB, or leave it out for no noise");
        }
        if (!Enum.IsDefined(Noise))
        {
            errors.Add($"noise kind {Noise} is invalid: use white or pink");
        }
        if (SampleRateHz != SupportedSampleRateHz)
        {
            errors.Add($"sample rate {SampleRateHz} Hz is invalid: only {SupportedSampleRateHz} Hz is supported");
        }
        if (UtterancesPerSpeaker is int pool && pool is < 1 or > 500)
        {
            errors.Add($"utterances per speaker {pool} is invalid: give 1 to 500, or leave it out to size the pool from the duration");
        }
        return errors;
    }

    /// <summary>Throws <see cref="Core.Options.OptionsValidationException"/> listing every problem, or returns when the options are valid.</summary>
    public void ThrowIfInvalid() => Core.Options.OptionsValidationException.ThrowIfAny(GetValidationErrors());
}
