// Real voices enrolled from the first part of a conversation are named in its later part, offline and live; a voice
// that was not enrolled stays anonymous.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speakers;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Streaming;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Profiles.Tests;

public sealed class KnownSpeakerNamingTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir();

    // dev_4spk_10min: LS26 and LS3080 enrolled, LS3331 and LS1998 not.
    private static readonly Lazy<RealVoices> Conversation = new(() => new RealVoices("dev_4spk_10min"));

    private static readonly string[] Enrolled = ["LS26", "LS3080"];

    private static readonly string[] Unenrolled = ["LS3331", "LS1998"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Enrolled_voices_are_named_offline_and_an_unenrolled_voice_stays_anonymous()
    {
        var profiles = EnrollFromClips();
        var c = Conversation.Value;
        var result = new DefaultDiarizer().Diarize(c.Rest);
        var named = new SpeakerNamer(new FeatureVoiceModeller()).Name(c.Rest, result, profiles);
        AssertNames(named.Result.Segments, c);
    }

    [Fact]
    public async Task Enrolled_voices_are_named_live_with_SpeakerIdentified_and_never_twice()
    {
        var profiles = EnrollFromClips();
        var c = Conversation.Value;
        var all = new EventList();
        var run = await StreamingRunner.RunAsync(c.Rest, new DefaultSessionFactory(), new SessionOptions { KnownSpeakers = profiles }, extraSinks: [all]);
        // Names found in the session's last comparison (at its end) still come before SessionEnded.
        int ended = all.FindIndex(e => e is SessionEndedEvent);
        Assert.True(ended < 0 || all.Skip(ended).All(e => e is not SpeakerIdentifiedEvent), "a SpeakerIdentified came after SessionEnded");
        var names = run.Events.Ledger.Names;
        Assert.Equal(names.Count, names.Values.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        AssertNames(run.Events.Ledger.NamedSnapshot(includeProvisional: false), c);
    }

    [Fact]
    public async Task A_live_session_with_known_speakers_keeps_the_speech_detector_uncapped()
    {
        // Round 14's threshold caps let an unenrolled voice's speech be named live (10.2 % in Bench.Speakers --live), so a
        // session with known speakers runs its live detector without them: the same events as with the caps set to 0.
        var profiles = EnrollFromClips();
        var c = Conversation.Value;
        var stages = new DefaultDiarizerOptions();
        Assert.True(stages.Speech.HighCapBelowPeakDb > 0 && stages.Speech.LowCapBelowPeakDb > 0);
        var uncapped = stages with { Speech = stages.Speech with { HighCapBelowPeakDb = 0, LowCapBelowPeakDb = 0 } };
        var session = new SessionOptions { KnownSpeakers = profiles };
        var byDefault = await StreamingRunner.RunAsync(c.Rest, new DefaultSessionFactory(), session);
        var withoutCaps = await StreamingRunner.RunAsync(c.Rest, new DefaultSessionFactory(uncapped, null), session);
        Assert.Equal(withoutCaps.Events.Ledger.NamedSnapshot(includeProvisional: false), byDefault.Events.Ledger.NamedSnapshot(includeProvisional: false));
        // Without known speakers the caps apply: the same audio gives other final turns.
        var anonymous = await StreamingRunner.RunAsync(c.Rest, new DefaultSessionFactory(), new SessionOptions());
        var anonymousUncapped = await StreamingRunner.RunAsync(c.Rest, new DefaultSessionFactory(uncapped, null), new SessionOptions());
        Assert.NotEqual(anonymousUncapped.Events.Ledger.NamedSnapshot(includeProvisional: false), anonymous.Events.Ledger.NamedSnapshot(includeProvisional: false));
    }

    /// <summary>
    /// Each enrolled person's name is on at least half of their reference speech (the rest is the diarizer's error, not
    /// the naming's), at most a fifth of an unenrolled voice's speech carries a name, and most of it is under anonymous ids.
    /// </summary>
    private static void AssertNames(IReadOnlyList<SpeakerSegment> turns, RealVoices c)
    {
        foreach (var person in Enrolled)
        {
            double total = c.RestReference.Where(r => r.Speaker == person).Sum(r => r.DurationSeconds);
            double named = RealVoices.Overlap(turns, person, c.RestReference, person);
            Assert.True(named >= 0.5 * total, $"{person}: {named:F1} of {total:F1} s of their speech carry their name; turns' speakers: {string.Join(", ", turns.Select(t => t.Speaker).Distinct())}");
        }
        foreach (var stranger in Unenrolled)
        {
            foreach (var person in Enrolled)
            {
                double wrong = RealVoices.Overlap(turns, person, c.RestReference, stranger);
                double total = c.RestReference.Where(r => r.Speaker == stranger).Sum(r => r.DurationSeconds);
                Assert.True(wrong <= 0.2 * total, $"{stranger} (not enrolled): {wrong:F1} of {total:F1} s of their speech are named {person}");
            }
        }
        // The unenrolled voice is found, and anonymous.
        var anonymous = turns.Where(t => ProfileNames.IsAnonymousId(t.Speaker)).ToList();
        double strangerSpeech = Unenrolled.Sum(s => c.RestReference.Where(r => r.Speaker == s).Sum(r => r.DurationSeconds));
        double strangerAnonymous = anonymous.Select(t => t.Speaker).Distinct().Sum(a => Unenrolled.Sum(s => RealVoices.Overlap(anonymous, a, c.RestReference, s)));
        Assert.True(strangerAnonymous >= 0.6 * strangerSpeech, $"only {strangerAnonymous:F1} of {strangerSpeech:F1} s of the unenrolled voices are under an anonymous id");
    }

    private List<VoiceProfile> EnrollFromClips()
    {
        var store = SqliteProfileStore.Open(_dir);
        var enrollment = new ProfileEnrollment(store, new FeatureVoiceModeller());
        foreach (var person in Enrolled)
        {
            var profile = enrollment.Enroll(person, [Conversation.Value.EnrollmentClip(person)]);
            Assert.True(profile.SpeechSeconds >= 15, $"{person}: only {profile.SpeechSeconds:F1} s of speech found in the enrollment clip");
        }
        return [.. KnownSpeakers.Select(store, ["all"], FeatureVoiceModeller.KindName)];
    }

    private sealed class EventList : List<DiarizationEvent>, StreamDiarize.Streaming.IEventSink
    {
        public ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken)
        {
            Add(diarizationEvent);
            return ValueTask.CompletedTask;
        }

        public ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
