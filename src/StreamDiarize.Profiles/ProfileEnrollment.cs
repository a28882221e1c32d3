// Enrollment: clips of one person -> a voice model of the built-in kind -> one transactional write to the store.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Speakers;

namespace StreamDiarize.Profiles;

/// <summary>Enrollment audio that cannot make a profile; the message says which clip and what to do. Nothing was written.</summary>
public sealed class EnrollmentException(string message) : Exception(message);

/// <summary>Checks every clip first and writes once, so a bad clip changes nothing.</summary>
public sealed class ProfileEnrollment(IProfileStore store, FeatureVoiceModeller modeller, SpeakerIdentificationOptions? options = null)
{
    /// <summary>A clip with less speech than this is taken as silent.</summary>
    public const double MinClipSpeechSeconds = 0.5;

    private readonly SpeakerIdentificationOptions _options = (options ?? new SpeakerIdentificationOptions()).Validate();

    public IProfileStore Store => store;

    /// <summary>Enrolls <paramref name="clips"/> (16 kHz) as <paramref name="name"/>: added to an existing profile of the same kind, or a new one.</summary>
    /// <exception cref="EnrollmentException">A bad name, a silent clip, too little speech in all.</exception>
    /// <exception cref="ProfileKindMismatchException">The profile exists with another embedder kind.</exception>
    /// <exception cref="ProfileStoreException">The store failed.</exception>
    public VoiceProfile Enroll(string name, IReadOnlyList<AudioClip> clips, bool replace = false, string? metadata = null)
    {
        CheckName(name);
        if (clips.Count == 0)
        {
            throw new EnrollmentException($"no enrollment audio for '{name}': give one or more clips of the person speaking, a few seconds to a minute in all");
        }
        GaussianVoiceModel? model = null;
        double speech = 0;
        foreach (var clip in clips)
        {
            var (stats, seconds) = modeller.ModelSpeech(clip);
            if (seconds < MinClipSpeechSeconds)
            {
                throw new EnrollmentException(clip.Samples.Length == 0
                    ? $"enrollment clip '{clip.Id}' is empty: give a recording of {name} speaking"
                    : $"enrollment clip '{clip.Id}' ({clip.DurationSeconds:F1} s) has no speech that can be modelled ({seconds:F1} s found): give a recording of {name} speaking, with some silence around the speech");
            }
            speech += seconds;
            var m = new GaussianVoiceModel(stats);
            model = model is null ? m : (GaussianVoiceModel)model.Combine(m);
        }
        return Write(name, model!, speech, clips.Count, replace, metadata);
    }

    /// <summary>
    /// Enrolls the speech of <paramref name="turns"/> (one speaker's turns in <paramref name="recording"/>, e.g. a speaker
    /// of an earlier diarization, or of a live session between two times) as <paramref name="name"/>.
    /// </summary>
    public VoiceProfile EnrollTurns(string name, AudioClip recording, IReadOnlyList<Core.Segments.SpeakerSegment> turns, bool replace = false, string? metadata = null)
    {
        CheckName(name);
        if (turns.Count == 0)
        {
            throw new EnrollmentException($"no turns to enroll '{name}' from in '{recording.Id}': check the speaker id and the time range");
        }
        var one = turns.Select(t => t with { Speaker = "enrollee" }).ToList();
        var stats = modeller.ModelSpeakers(recording, one).GetValueOrDefault("enrollee");
        double speech = (stats?.Count ?? 0) * modeller.HopSeconds;
        return Write(name, new GaussianVoiceModel(stats ?? new Core.Clustering.GaussianStats(1)), speech, 1, replace, metadata);
    }

    /// <summary>Speech a profile needs at least (all its audio together), in seconds.</summary>
    public double MinSpeechSeconds => _options.MinEnrollmentSpeechSeconds;

    /// <summary>
    /// Enrolls a voice modelled elsewhere from <paramref name="speechSeconds"/> of speech, e.g. a speaker's frames kept by
    /// a live session (<see cref="VoiceFrameHistory"/>), as <paramref name="name"/>: one clip.
    /// </summary>
    public VoiceProfile EnrollModel(string name, Core.Clustering.GaussianStats stats, double speechSeconds, bool replace = false, string? metadata = null)
    {
        CheckName(name);
        return Write(name, new GaussianVoiceModel(stats), speechSeconds, 1, replace, metadata);
    }

    private static void CheckName(string name)
    {
        if (ProfileNames.Problem(name) is { } problem)
        {
            throw new EnrollmentException(problem);
        }
    }

    private VoiceProfile Write(string name, GaussianVoiceModel model, double speech, int clips, bool replace, string? metadata)
    {
        if (speech < _options.MinEnrollmentSpeechSeconds)
        {
            throw new EnrollmentException(
                $"the enrollment audio of '{name}' holds {speech:F1} s of speech; a profile needs at least {_options.MinEnrollmentSpeechSeconds:F0} s (30 s or more names people more reliably): add longer or more clips");
        }
        return store.Enroll(name, FeatureVoiceModeller.KindName, model, speech, clips, replace, metadata);
    }
}
