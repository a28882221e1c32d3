// Known speakers through the real daemon on loopback: enroll over gRPC, name live speakers, survive a restart, share a
// data folder between two daemons, refuse bad input, and keep serving when the store file is corrupt.
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using StreamDiarize.Core.Audio;
using StreamDiarize.Profiles;
using StreamDiarize.Profiles.Tests;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class SpeakerProfilesTests : IDisposable
{
    /// <summary>The conversation the known-speaker tests of the daemon enroll from and name in, loaded once.</summary>
    internal static readonly Lazy<RealVoices> Conversation = new(() => new RealVoices("dev_2spk_10min"));

    private readonly string _dir = RepoPaths.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<DaemonHost> StartAsync(string? dir = null) => DaemonHost.StartAsync(null, ("Server:DataDirectory", dir ?? _dir));

    internal static async Task<Protocol.V1.Profile> EnrollAsync(DaemonHost daemon, string name, AudioClip clip, bool replace = false)
    {
        var client = new SpeakerProfiles.SpeakerProfilesClient(daemon.Channel);
        using var call = client.EnrollSpeaker();
        await call.RequestStream.WriteAsync(new EnrollRequest
        {
            Config = new EnrollConfig { Name = name, Replace = replace, Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = 16000, Channels = 1 } },
        });
        try
        {
            for (int start = 0; start < clip.Samples.Length; start += 16000)
            {
                var piece = clip.Samples.AsSpan(start, Math.Min(16000, clip.Samples.Length - start));
                var bytes = new byte[piece.Length * 4];
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(piece).CopyTo(bytes);
                await call.RequestStream.WriteAsync(new EnrollRequest { Audio = new AudioChunk { Data = ByteString.CopyFrom(bytes) } });
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            // The server refused the config before the audio was all sent: its status is the call's response.
        }
        return await call.ResponseAsync;
    }

    [Fact]
    public async Task A_voice_enrolled_over_gRPC_is_named_live_and_an_unenrolled_voice_stays_anonymous()
    {
        var c = Conversation.Value;
        await using var daemon = await StartAsync();
        var profile = await EnrollAsync(daemon, "Linda", c.EnrollmentClip("LJ"));
        Assert.Equal("features/v1", profile.Kind);
        Assert.True(profile.SpeechSeconds > 15, $"{profile.SpeechSeconds} s of speech enrolled");

        var config = TestAudio.F32Config("named");
        config.KnownSpeakers.Add("all");
        var events = await TestAudio.DiarizeAsync(daemon, c.Rest, config);

        Assert.Contains("all", events[0].SessionStarted.EffectiveConfig.KnownSpeakers);
        var identified = events.Where(e => e.EventCase == DiarizeEvent.EventOneofCase.SpeakerIdentified).Select(e => e.SpeakerIdentified).ToList();
        var linda = Assert.Single(identified);
        Assert.Equal("Linda", linda.Name);
        Assert.InRange(linda.Distance, 0, 0.25);
        var finals = events.Where(e => e.EventCase == DiarizeEvent.EventOneofCase.Segment && e.Segment.IsFinal).Select(e => e.Segment).ToList();
        Assert.All(finals.Where(s => s.SpeakerName.Length > 0), s => Assert.Equal(linda.Speaker, s.Speaker));
        Assert.Contains(finals, s => s.SpeakerName == "Linda");

        AssertNamedOnly(events, "Linda", c, enrolled: "LJ", unenrolled: "LS19");
    }

    /// <summary>
    /// Over the whole session (the ledger a client keeps), more than half of <paramref name="enrolled"/>'s speech carries
    /// <paramref name="name"/>, under a tenth of <paramref name="unenrolled"/>'s does, and no other name appears.
    /// </summary>
    internal static void AssertNamedOnly(IEnumerable<DiarizeEvent> events, string name, RealVoices c, string enrolled, string unenrolled)
    {
        var ledger = new Core.Events.SegmentLedger();
        foreach (var e in events)
        {
            if (Contracts.EventMapping.ToCore(e) is { } core)
            {
                ledger.Apply(core);
            }
        }
        var turns = ledger.NamedSnapshot(includeProvisional: false);
        double own = c.RestReference.Where(r => r.Speaker == enrolled).Sum(r => r.DurationSeconds);
        double other = c.RestReference.Where(r => r.Speaker == unenrolled).Sum(r => r.DurationSeconds);
        Assert.True(RealVoices.Overlap(turns, name, c.RestReference, enrolled) > 0.5 * own, $"less than half of {enrolled}'s speech is named {name}");
        Assert.True(RealVoices.Overlap(turns, name, c.RestReference, unenrolled) < 0.1 * other, $"{unenrolled}, never enrolled, is named {name}");
        Assert.DoesNotContain(turns, t => t.Speaker != name && !(t.Speaker.Length > 1 && t.Speaker[0] == 'S' && t.Speaker[1..].All(char.IsAsciiDigit)));
    }

    [Fact]
    public async Task Profiles_survive_a_restart_and_are_deleted_once()
    {
        var clip = Conversation.Value.EnrollmentClip("LS19");
        await using (var first = await StartAsync())
        {
            await EnrollAsync(first, "Kara", clip);
        }
        await using var second = await StartAsync();
        var client = new SpeakerProfiles.SpeakerProfilesClient(second.Channel);
        var listed = await client.ListProfilesAsync(new ListProfilesRequest());
        var kara = Assert.Single(listed.Profiles);
        Assert.Equal("Kara", kara.Name);
        Assert.Equal(1, kara.Clips);
        await client.DeleteProfileAsync(new DeleteProfileRequest { Name = "Kara" });
        var again = await Assert.ThrowsAsync<RpcException>(async () => await client.DeleteProfileAsync(new DeleteProfileRequest { Name = "Kara" }));
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
        Assert.Empty((await client.ListProfilesAsync(new ListProfilesRequest())).Profiles);
    }

    [Fact]
    public async Task Two_daemons_on_one_data_folder_enroll_concurrently_without_losing_or_corrupting_anything()
    {
        var clip = Conversation.Value.EnrollmentClip("LS19");
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        var calls = new List<Task<Protocol.V1.Profile>>();
        for (int i = 0; i < 3; i++)
        {
            calls.Add(EnrollAsync(a, "Kara", clip));
            calls.Add(EnrollAsync(b, "Kara", clip));
            calls.Add(EnrollAsync(i % 2 == 0 ? a : b, "Other" + i, clip));
        }
        var results = await Task.WhenAll(calls);
        double one = results[^1].SpeechSeconds;
        var listed = (await new SpeakerProfiles.SpeakerProfilesClient(a.Channel).ListProfilesAsync(new ListProfilesRequest())).Profiles;
        Assert.Equal(["Kara", "Other0", "Other1", "Other2"], listed.Select(p => p.Name));
        var kara = listed[0];
        Assert.Equal(6, kara.Clips);
        Assert.Equal(6 * one, kara.SpeechSeconds, 6);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir, SqliteProfileStore.FileName)};Pooling=False");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", check.ExecuteScalar());
    }

    [Fact]
    public async Task Bad_enrollments_and_unknown_names_get_INVALID_ARGUMENT_and_change_nothing()
    {
        await using var daemon = await StartAsync();
        var client = new SpeakerProfiles.SpeakerProfilesClient(daemon.Channel);

        var silent = await Assert.ThrowsAsync<RpcException>(() => EnrollAsync(daemon, "Quiet", new AudioClip("silence", new float[16000 * 5], 16000)));
        Assert.Equal(StatusCode.InvalidArgument, silent.StatusCode);
        Assert.Contains("no speech", silent.Status.Detail);

        // A bad name is refused at the config, before any audio: sent with none, since audio written into a call the
        // server has already refused may reset the HTTP/2 stream before its status arrives (a CI run saw STREAM_CLOSED).
        var noAudio = new AudioClip("none", [], 16000);
        var empty = await Assert.ThrowsAsync<RpcException>(() => EnrollAsync(daemon, "", noAudio));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("name: the speaker name is empty", empty.Status.Detail);

        var tooLong = await Assert.ThrowsAsync<RpcException>(() => EnrollAsync(daemon, new string('x', 65), noAudio));
        Assert.Contains("at most 64", tooLong.Status.Detail);

        Assert.Empty((await client.ListProfilesAsync(new ListProfilesRequest())).Profiles);

        using var call = daemon.Client.Diarize();
        var config = TestAudio.F32Config();
        config.KnownSpeakers.Add("Nobody");
        var unknown = await TestAudio.RefusalAsync(call, config);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Contains("known_speakers: no profile named 'Nobody'", unknown.Status.Detail);
    }

    [Fact]
    public async Task A_corrupt_store_file_is_named_while_the_daemon_keeps_diarizing()
    {
        var file = Path.Combine(_dir, SqliteProfileStore.FileName);
        await File.WriteAllTextAsync(file, "garbage where the profile database should be; long enough to be read as a header by SQLite");
        await using var daemon = await StartAsync();
        var client = new SpeakerProfiles.SpeakerProfilesClient(daemon.Channel);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.ListProfilesAsync(new ListProfilesRequest()));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Contains(file, e.Status.Detail);
        Assert.Contains("sessions without known_speakers still run", e.Status.Detail);

        using var call = daemon.Client.Diarize();
        var reading = TestAudio.ReadAllAsync(call.ResponseStream);
        await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(3), TestAudio.F32Config());
        var events = await reading;
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, events[^1].EventCase);
    }
}
