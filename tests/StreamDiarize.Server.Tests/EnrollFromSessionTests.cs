// Enrolling a speaker from a live session's time range, through the real daemon on loopback and real voices: the profile
// names that person in a later session, the other voice stays anonymous, and every refusal says what was wrong.
using Grpc.Core;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;
using StreamDiarize.Profiles.Tests;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class EnrollFromSessionTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_speaker_enrolled_from_a_live_sessions_time_range_is_named_in_a_later_session_and_the_unenrolled_voice_stays_anonymous()
    {
        var c = SpeakerProfilesTests.Conversation.Value;
        // The session keeps 120 s; it is sent the first Cutoff + 20 s (about 130 s), so its first 10 s are gone.
        await using var daemon = await DaemonHost.StartAsync(null, ("Server:DataDirectory", _dir), ("Server:Profiles:SessionHistorySeconds", "120"));
        var profiles = new SpeakerProfiles.SpeakerProfilesClient(daemon.Channel);
        double sent = c.Cutoff + 20;
        var first = new AudioClip("first", c.Clip.Samples[..(int)(sent * c.Clip.SampleRateHz)], c.Clip.SampleRateHz);
        using var call = daemon.Client.Diarize();
        var finals = new List<Segment>();
        var pastCutoff = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync())
            {
                if (e.EventCase == DiarizeEvent.EventOneofCase.Segment && e.Segment.IsFinal)
                {
                    lock (finals)
                    {
                        finals.Add(e.Segment);
                    }
                    if (e.Segment.EndSeconds > c.Cutoff + 1)
                    {
                        pastCutoff.TrySetResult();
                    }
                }
            }
        });
        await TestAudio.SendAsync(call.RequestStream, first, TestAudio.F32Config("meeting"), complete: false);
        // Turns up to the cutoff are final once a final turn ends past it (a hang guard, not a timing claim).
        await pastCutoff.Task.WaitAsync(TimeSpan.FromMinutes(3));
        // And the session has diarized all it was sent, so its first 10 s have left its 120 s history.
        await TestAudio.WaitForAsync(() => daemon.Registry.TryGet("meeting", out var s) && s.Voices!.Kept.Start >= sent - 120 - 0.5);

        // The session's own final turns say which of its speakers is LJ in the range to enroll from.
        var range = (Start: 10.0, End: c.Cutoff);
        var reference = Rttm.ReadFile(RepoPaths.RealDev(c.Id + ".rttm"))[c.Id];
        List<SpeakerSegment> turns;
        lock (finals)
        {
            turns = finals.Select(s => new SpeakerSegment(s.StartSeconds, s.EndSeconds, s.Speaker)).ToList();
        }
        var inRange = turns.Where(t => t.EndSeconds > range.Start && t.StartSeconds < range.End).ToList();
        string lj = inRange.Select(t => t.Speaker).Distinct().MaxBy(s => RealVoices.Overlap(inRange, s, reference, "LJ"))!;
        string ls19 = inRange.Select(t => t.Speaker).Distinct().MaxBy(s => RealVoices.Overlap(inRange, s, reference, "LS19"))!;
        Assert.NotEqual(lj, ls19);

        Task<Protocol.V1.Profile> Enroll(string name, string session, string speaker, double start, double end) =>
            profiles.EnrollFromSessionAsync(new EnrollFromSessionRequest { Name = name, SessionId = session, Speaker = speaker, StartSeconds = start, EndSeconds = end }).ResponseAsync;

        // Refusals first: each says what was wrong and what to do, and writes nothing.
        var gone = await Assert.ThrowsAsync<RpcException>(() => Enroll("Linda", "meeting", lj, 0, c.Cutoff));
        Assert.Equal(StatusCode.OutOfRange, gone.StatusCode);
        Assert.Contains("keeps the voices of its last 120 s only", gone.Status.Detail);
        Assert.Contains("choose a range within it", gone.Status.Detail);

        var notYet = await Assert.ThrowsAsync<RpcException>(() => Enroll("Linda", "meeting", lj, 20, sent + 60));
        Assert.Equal(StatusCode.OutOfRange, notYet.StatusCode);
        Assert.Contains("has turns final up to", notYet.Status.Detail);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => Enroll("Linda", "nobody", lj, 20, 40));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no live session 'nobody'", unknown.Status.Detail);

        var silentSpeaker = await Assert.ThrowsAsync<RpcException>(() => Enroll("Linda", "meeting", "S99", range.Start, range.End));
        Assert.Equal(StatusCode.InvalidArgument, silentSpeaker.StatusCode);
        Assert.Contains("speaker 'S99' has 0.0 s of speech", silentSpeaker.Status.Detail);
        Assert.Contains($"{lj} has ", silentSpeaker.Status.Detail);

        var tooShort = await Assert.ThrowsAsync<RpcException>(() => Enroll("Linda", "meeting", lj, range.Start, range.Start + 3));
        Assert.Equal(StatusCode.InvalidArgument, tooShort.StatusCode);
        Assert.Contains("a profile needs at least 5 s: widen the range", tooShort.Status.Detail);

        var badRange = await Assert.ThrowsAsync<RpcException>(() => Enroll("", "meeting", lj, 40, 20));
        Assert.Equal(StatusCode.InvalidArgument, badRange.StatusCode);
        Assert.Contains("name: the speaker name is empty", badRange.Status.Detail);
        Assert.Contains("start_seconds 40 and end_seconds 20 are not a range", badRange.Status.Detail);

        Assert.Empty((await profiles.ListProfilesAsync(new ListProfilesRequest())).Profiles);

        // "The speaker that is LJ in session meeting from 10 s to the cutoff is Linda."
        var linda = await Enroll("Linda", "meeting", lj, range.Start, range.End);
        Assert.Equal("features/v1", linda.Kind);
        double ljOwn = RealVoices.Overlap(inRange.Select(t => t with
        {
            StartSeconds = Math.Max(t.StartSeconds, range.Start),
            EndSeconds = Math.Min(t.EndSeconds, range.End),
        }).Where(t => t.EndSeconds > t.StartSeconds), lj, reference, "LJ");
        Assert.True(linda.SpeechSeconds > 15, $"{linda.SpeechSeconds} s of speech enrolled");
        Assert.True(linda.SpeechSeconds <= range.End - range.Start, $"{linda.SpeechSeconds} s enrolled from a {range.End - range.Start} s range");
        Assert.True(ljOwn > 0.5 * linda.SpeechSeconds, $"the enrolled speaker's turns hold only {ljOwn:F1} s of LJ");

        await call.RequestStream.CompleteAsync();
        await reading;

        // A second session, the rest of the conversation, names LJ's turns Linda and leaves LS19 anonymous.
        var config = TestAudio.F32Config("later");
        config.KnownSpeakers.Add("Linda");
        var events = await TestAudio.DiarizeAsync(daemon, c.Rest, config);

        var identified = Assert.Single(events.Where(e => e.EventCase == DiarizeEvent.EventOneofCase.SpeakerIdentified).Select(e => e.SpeakerIdentified));
        Assert.Equal("Linda", identified.Name);
        SpeakerProfilesTests.AssertNamedOnly(events, "Linda", c, enrolled: "LJ", unenrolled: "LS19");
    }

    [Fact]
    public async Task Another_tenants_session_is_not_found_and_a_daemon_that_keeps_no_history_says_so()
    {
        const string keyA = "alpha-key-0123456789", keyB = "bravo-key-9876543210";
        await using (var daemon = await DaemonHost.StartAsync(null, ("Server:DataDirectory", _dir),
            ("Server:Auth:Keys:a:Sha256", AuthTests.Hash(keyA)), ("Server:Auth:Keys:a:Tenant", "alpha"),
            ("Server:Auth:Keys:b:Sha256", AuthTests.Hash(keyB)), ("Server:Auth:Keys:b:Tenant", "bravo")))
        {
            var profiles = new SpeakerProfiles.SpeakerProfilesClient(daemon.Channel);
            using var call = daemon.Client.Diarize(AuthTests.Bearer(keyA));
            await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(4), TestAudio.F32Config("a-meeting"), complete: false);
            await TestAudio.WaitForAsync(() => daemon.Registry.TryGet("alpha", "a-meeting", out var s) && s.Voices!.Kept.End >= 3);
            var request = new EnrollFromSessionRequest { Name = "Ann", SessionId = "a-meeting", Speaker = "S0", StartSeconds = 0, EndSeconds = 1 };

            var fromB = await Assert.ThrowsAsync<RpcException>(async () => await profiles.EnrollFromSessionAsync(request, AuthTests.Bearer(keyB)));
            var other = request.Clone();
            other.SessionId = "nobody";
            var nobody = await Assert.ThrowsAsync<RpcException>(async () => await profiles.EnrollFromSessionAsync(other, AuthTests.Bearer(keyB)));
            Assert.Equal(StatusCode.NotFound, fromB.StatusCode);
            // Word for word the answer for a session that does not exist: another tenant's ids do not leak.
            Assert.Equal(nobody.Status.Detail.Replace("nobody", "a-meeting", StringComparison.Ordinal), fromB.Status.Detail);

            // Its own tenant finds it (and is told the noise holds too little speech).
            var fromA = await Assert.ThrowsAsync<RpcException>(async () => await profiles.EnrollFromSessionAsync(request, AuthTests.Bearer(keyA)));
            Assert.Equal(StatusCode.InvalidArgument, fromA.StatusCode);
            Assert.Contains("a profile needs at least", fromA.Status.Detail);
            await call.RequestStream.CompleteAsync();
        }

        await using (var off = await DaemonHost.StartAsync(null, ("Server:DataDirectory", _dir), ("Server:Profiles:SessionHistorySeconds", "0")))
        {
            using var call = await TestAudio.OpenSessionAsync(off, "quiet", 2);
            await TestAudio.WaitForAsync(() => off.Registry.TryGet("quiet", out _));
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await new SpeakerProfiles.SpeakerProfilesClient(off.Channel).EnrollFromSessionAsync(
                new EnrollFromSessionRequest { Name = "Ann", SessionId = "quiet", Speaker = "S0", StartSeconds = 0, EndSeconds = 1 }));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("keeps no voice history", refused.Status.Detail);
            Assert.Contains("Server:Profiles:SessionHistorySeconds", refused.Status.Detail);
            await call.RequestStream.CompleteAsync();
        }
    }
}
