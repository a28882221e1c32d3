// Enrollment refuses audio it cannot model, saying which clip and what to do, and writes nothing.
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Speakers;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Profiles.Tests;

public sealed class ProfileEnrollmentTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ProfileEnrollment Enrollment() => new(SqliteProfileStore.Open(_dir), new FeatureVoiceModeller());

    [Fact]
    public void An_empty_clip_is_refused_by_name()
    {
        var enrollment = Enrollment();
        var e = Assert.Throws<EnrollmentException>(() => enrollment.Enroll("Alice", [new AudioClip("empty.wav", [], 16000)]));
        Assert.Contains("'empty.wav' is empty", e.Message);
        Assert.Empty(enrollment.Store.List());
    }

    [Fact]
    public void A_silent_clip_is_refused_even_beside_a_good_one()
    {
        var enrollment = Enrollment();
        var good = new RealVoices("dev_2spk_3min").EnrollmentClip("VCTKp225");
        var silent = new AudioClip("silence.wav", new float[16000 * 10], 16000);
        var e = Assert.Throws<EnrollmentException>(() => enrollment.Enroll("Alice", [good, silent]));
        Assert.Contains("'silence.wav'", e.Message);
        Assert.Contains("no speech", e.Message);
        Assert.Empty(enrollment.Store.List());
    }

    [Fact]
    public void A_clip_with_too_little_speech_is_refused_with_the_minimum()
    {
        var enrollment = Enrollment();
        var voices = new RealVoices("dev_2spk_3min");
        var clip = voices.EnrollmentClip("VCTKp225");
        // The first turn alone, with the pause before it: a couple of seconds of speech.
        var turn = voices.EnrollmentTurns["VCTKp225"][0];
        var shortClip = new AudioClip("short.wav", clip.Samples[..(int)(16000 * Math.Min(clip.DurationSeconds, 0.4 + Math.Min(turn.DurationSeconds, 3)))], 16000);
        var e = Assert.Throws<EnrollmentException>(() => enrollment.Enroll("Alice", [shortClip]));
        Assert.Contains("needs at least 5 s", e.Message);
        Assert.Empty(enrollment.Store.List());
    }

    [Fact]
    public void A_real_voice_clip_makes_a_profile_with_its_speech_seconds()
    {
        var enrollment = Enrollment();
        var profile = enrollment.Enroll("Alice", [new RealVoices("dev_2spk_3min").EnrollmentClip("VCTKp225")]);
        Assert.InRange(profile.SpeechSeconds, 15, 40);
        Assert.Equal(FeatureVoiceModeller.KindName, profile.Kind);
        Assert.Single(enrollment.Store.List());
    }
}
