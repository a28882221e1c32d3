// Several real `serve` replicas on one real `nats-server -js` (issue 16): watch anywhere, list everywhere, lose a replica, drain one.
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using StreamDiarize.Audio;
using StreamDiarize.Cli.Tests.Serve;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Cli.Tests.ScaleOut;

public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static string[] Replica(NatsServer nats, string id, params string[] more) =>
        [$"--Server:Bus:Url={nats.Url}", $"--Server:Bus:ReplicaId={id}", "--Logging:LogLevel:Default=Warning", .. more];

    private static Diarizer.DiarizerClient Client(GrpcChannel channel) => new(channel);

    [SkippableFact]
    public async Task Watchers_on_a_third_replica_get_every_event_of_sessions_on_replicas_one_and_two_in_order_and_every_replica_lists_both()
    {
        await using var nats = await NatsServer.StartAsync();
        var started = await StartAll(Replica(nats, "r1"), Replica(nats, "r2"), Replica(nats, "r3"));
        await using var r1 = started[0];
        await using var r2 = started[1];
        await using var r3 = started[2];
        using var c1 = GrpcChannel.ForAddress(r1.GrpcAddress);
        using var c2 = GrpcChannel.ForAddress(r2.GrpcAddress);
        using var c3 = GrpcChannel.ForAddress(r3.GrpcAddress);

        using var a = await StreamingClient.StartAsync(Client(c1), "meeting-a");
        using var b = await StreamingClient.StartAsync(Client(c2), "meeting-b");
        using var watchA = await WatchingClient.StartAsync(Client(c3), "meeting-a", replay: false);
        using var watchB = await WatchingClient.StartAsync(Client(c3), "meeting-b", replay: false);
        // The live page's event stream on replica 3 too (it always replays; nothing is final yet).
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{r3.HttpPort}") };
        var pageA = await OpenServerSentEvents(http, "/api/sessions/meeting-a/events");

        foreach (var (channel, name) in new[] { (c1, "r1"), (c2, "r2"), (c3, "r3") })
        {
            var sessions = (await Client(channel).ListSessionsAsync(new ListSessionsRequest())).Sessions;
            Assert.True(sessions.Count == 2, $"ListSessions on {name}: {sessions}");
            Assert.Equal("r1", sessions.Single(s => s.Id == "meeting-a").Replica);
            Assert.Equal("r2", sessions.Single(s => s.Id == "meeting-b").Replica);
            Assert.All(sessions, s => Assert.Equal("grpc", s.Source));
        }
        var pageList = await http.GetStringAsync("/api/sessions");
        Assert.Contains("\"id\":\"meeting-a\"", pageList);
        Assert.Contains("\"replica\":\"r2\"", pageList);

        var dev00 = AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav"));
        var trn01 = AudioLoader.LoadWav(RepoPaths.Ami("trn01.wav"));
        var sendA = a.SendAsync(dev00, speed: 3);
        var sendB = b.SendAsync(trn01, speed: 3);
        // A watcher that joins half-way, on a replica that owns neither session, with the replay of final turns.
        await Task.Delay(TimeSpan.FromSeconds(5));
        using var lateA = await WatchingClient.StartAsync(Client(c3), "meeting-a", replay: true);
        using var lateB = await WatchingClient.StartAsync(Client(c1), "meeting-b", replay: true);
        await Task.WhenAll(sendA, sendB).WaitAsync(Patience);
        await Task.WhenAll(a.Completion, b.Completion, watchA.Completion, watchB.Completion, lateA.Completion, lateB.Completion).WaitAsync(Patience);

        foreach (var (client, watcher, late) in new[] { (a, watchA, lateA), (b, watchB, lateB) })
        {
            Assert.Null(client.Error);
            Assert.Null(watcher.Error);
            var events = client.Events;
            Assert.Equal(EndReason.AudioEnded, events[^1].SessionEnded.Reason);
            Assert.True(events.Count(e => e.Segment is { IsFinal: true }) >= 5, $"{events.Count} events");
            // Every event, in order, none twice, the same content: the owner's wire events, through JetStream.
            Assert.Equal(events, watcher.Events);
            var finals = client.FinalTurns();
            Assert.Equal(finals, watcher.FinalTurns());
            // The late watcher's replay plus what followed gives the same final turns.
            Assert.Null(late.Error);
            Assert.Equal(finals, late.FinalTurns());
            output.WriteLine($"{events[0].SessionStarted.SessionId}: {events.Count} events, {finals.Count} final turns; late watcher {late.Events.Count} events");
        }

        // The page on replica 3 got the same events as meeting-a's own client, as JSON.
        var pageEvents = await pageA.WaitAsync(Patience);
        Assert.Equal(a.Events.Select(e => Server.Web.LiveEventJson.ToJson(e).ToJsonString()), pageEvents);

        // Ended sessions leave every replica's list.
        await WaitUntil(async () => (await Client(c3).ListSessionsAsync(new ListSessionsRequest())).Sessions.Count == 0, "the ended sessions still listed on r3");
    }

    [SkippableFact]
    public async Task Killing_the_owning_replica_ends_its_session_for_watchers_elsewhere_within_five_seconds_and_keeps_its_final_turns()
    {
        await using var nats = await NatsServer.StartAsync();
        var started = await StartAll(Replica(nats, "r1"), Replica(nats, "r3"));
        await using var r1 = started[0];
        await using var r3 = started[1];
        using var c1 = GrpcChannel.ForAddress(r1.GrpcAddress);
        using var c3 = GrpcChannel.ForAddress(r3.GrpcAddress);

        using var doomed = await StreamingClient.StartAsync(Client(c1), "doomed");
        using var watcher = await WatchingClient.StartAsync(Client(c3), "doomed", replay: false);
        var sending = doomed.SendAsync(AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav")), speed: 1, halfClose: false);
        await WaitUntil(() => Task.FromResult(watcher.Events.Count(e => e.Segment is { IsFinal: true }) >= 3), "the watcher got no 3 final turns");

        r1.Process.Kill(); // SIGKILL, by the child's id
        var killedAt = EventLog.Clock.Elapsed;
        var deliveredBeforeKill = watcher.FinalTurns();
        // A watcher arriving just after the crash still gets the whole past.
        var late = await WatchingClient.StartAsync(Client(c3), "doomed", replay: true);
        await Task.WhenAll(watcher.Completion, late.Completion).WaitAsync(TimeSpan.FromSeconds(15));

        var (ended, at) = watcher.Timed[^1];
        Assert.Equal(EndReason.ReplicaLost, ended.SessionEnded.Reason);
        Assert.Contains("r1", ended.SessionEnded.Detail);
        var delay = at - killedAt;
        output.WriteLine($"SessionEnded {delay.TotalSeconds:F2} s after SIGKILL: {ended.SessionEnded.Detail}");
        Assert.True(delay < TimeSpan.FromSeconds(5), $"SessionEnded came {delay.TotalSeconds:F2} s after the kill");
        Assert.Equal(EndReason.ReplicaLost, late.Events[^1].SessionEnded.Reason);
        var replayed = late.FinalTurns();
        // Every turn final before the kill is in the replay; a turn may have grown since the snapshot (a piece already on
        // its way when the kill came), so it is matched by speaker and start and must reach at least as far.
        foreach (var turn in deliveredBeforeKill)
        {
            Assert.Contains(replayed, r => r.Speaker == turn.Speaker && Math.Abs(r.StartSeconds - turn.StartSeconds) < 1e-9 && r.EndSeconds >= turn.EndSeconds - 1e-9);
        }
        Assert.Equal(watcher.FinalTurns(), replayed);
        // The replica that declared r1 dead had no ledger; the totals are those of the final turns kept.
        Assert.Equal(replayed.Count, ended.SessionEnded.SegmentCount);

        // The streaming client's call failed: it is told to reconnect by UNAVAILABLE.
        await doomed.Completion.WaitAsync(TimeSpan.FromSeconds(15));
        await sending.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(StatusCode.Unavailable, doomed.Error?.StatusCode);
        Assert.Empty((await Client(c3).ListSessionsAsync(new ListSessionsRequest())).Sessions);
        late.Dispose();
    }

    [SkippableFact]
    public async Task SIGTERM_with_ten_live_sessions_turns_health_not_serving_at_once_refuses_new_ones_and_ends_the_rest_with_final_turns_within_the_grace()
    {
        const double drain = 6, shutdown = 5;
        await using var nats = await NatsServer.StartAsync();
        await using var serve = await ServeProcess.StartAsync(Replica(nats, "drainer",
            $"--Server:DrainGraceSeconds={drain}", $"--Server:ShutdownGraceSeconds={shutdown}", "--Server:IdleTimeoutSeconds=600"));
        using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
        var client = Client(channel);
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        string[] clips = ["dev00", "dev01", "trn00", "trn01", "trn02", "trn03", "trn04", "trn05", "trn06", "trn07"];
        var sessions = new List<StreamingClient>();
        var sending = new List<Task>();
        for (int i = 0; i < clips.Length; i++)
        {
            var s = await StreamingClient.StartAsync(client, $"live-{i}");
            sessions.Add(s);
            // Half of them end by themselves 8 s in, during the drain; the others would run for their whole 30 s.
            sending.Add(s.SendAsync(AudioLoader.LoadWav(RepoPaths.Ami(clips[i] + ".wav")), speed: 1, seconds: i < 5 ? 8 : double.MaxValue, halfClose: true));
        }
        await Task.Delay(TimeSpan.FromSeconds(3));

        serve.Terminate();
        var termAt = EventLog.Clock.Elapsed;
        HealthCheckResponse.Types.ServingStatus status;
        do
        {
            status = (await health.CheckAsync(new HealthCheckRequest())).Status;
        }
        while (status == HealthCheckResponse.Types.ServingStatus.Serving && EventLog.Clock.Elapsed - termAt < TimeSpan.FromSeconds(5));
        var notServingAfter = EventLog.Clock.Elapsed - termAt;
        output.WriteLine($"NOT_SERVING {notServingAfter.TotalMilliseconds:F0} ms after SIGTERM");
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, status);
        Assert.True(notServingAfter < TimeSpan.FromSeconds(1), $"health still SERVING {notServingAfter.TotalSeconds:F2} s after SIGTERM");

        var refused = await Assert.ThrowsAsync<RpcException>(() => StreamingClient.StartAsync(client, "too-late"));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("draining", refused.Status.Detail);

        await Task.WhenAll(sessions.Select(s => s.Completion)).WaitAsync(TimeSpan.FromSeconds(drain + shutdown + 15));
        int finalTurnsAtShutdown = 0;
        for (int i = 0; i < sessions.Count; i++)
        {
            var timed = sessions[i].Timed;
            var (last, at) = timed[^1];
            Assert.True(last.SessionEnded is not null, $"live-{i} ended without SessionEnded: {sessions[i].Error}");
            Assert.Null(sessions[i].Error);
            int finals = timed.Count(e => e.Event.Segment is { IsFinal: true });
            Assert.Equal(last.SessionEnded.SegmentCount, finals);
            var after = at - termAt;
            output.WriteLine($"live-{i}: {last.SessionEnded.Reason} {after.TotalSeconds:F2} s after SIGTERM, {finals} final turns");
            if (i < 5)
            {
                Assert.Equal(EndReason.AudioEnded, last.SessionEnded.Reason);
                // Running when SIGTERM came, and let finish by the drain.
                Assert.True(after > TimeSpan.Zero && after < TimeSpan.FromSeconds(drain), $"live-{i} ended {after.TotalSeconds:F2} s after SIGTERM");
            }
            else
            {
                Assert.Equal(EndReason.ServerShutdown, last.SessionEnded.Reason);
                Assert.True(after >= TimeSpan.FromSeconds(drain - 0.5) && after < TimeSpan.FromSeconds(drain + shutdown), $"live-{i} ended {after.TotalSeconds:F2} s after SIGTERM");
                finalTurnsAtShutdown += finals;
            }
        }
        // Some clips are silent in their first seconds; together the ones ended by the shutdown had final turns to deliver.
        Assert.True(finalTurnsAtShutdown >= 5, $"{finalTurnsAtShutdown} final turns in the sessions ended by the shutdown");
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(drain + shutdown + 15)));
        await Task.WhenAll(sending).WaitAsync(TimeSpan.FromSeconds(15));
        foreach (var s in sessions)
        {
            s.Dispose();
        }
    }

    [SkippableFact]
    public async Task A_tenant_lists_and_watches_its_own_sessions_on_every_replica_and_never_another_tenants()
    {
        await using var nats = await NatsServer.StartAsync();
        string[] keys = [.. Key("alpha", "alpha-key"), .. Key("beta", "beta-key")];
        var started = await StartAll(Replica(nats, "r1", keys), Replica(nats, "r2", keys));
        await using var r1 = started[0];
        await using var r2 = started[1];
        using var c1 = GrpcChannel.ForAddress(r1.GrpcAddress, Bearer("alpha-key"));
        using var alphaOn2 = GrpcChannel.ForAddress(r2.GrpcAddress, Bearer("alpha-key"));
        using var betaOn2 = GrpcChannel.ForAddress(r2.GrpcAddress, Bearer("beta-key"));

        // Both tenants may use the same id: ids are per tenant on every replica.
        using var alpha = await StreamingClient.StartAsync(Client(c1), "standup");
        using var beta = await StreamingClient.StartAsync(Client(betaOn2), "standup");

        var alphaList = (await Client(alphaOn2).ListSessionsAsync(new ListSessionsRequest())).Sessions;
        Assert.Equal([("standup", "r1")], alphaList.Select(s => (s.Id, s.Replica)));
        var betaList = (await Client(betaOn2).ListSessionsAsync(new ListSessionsRequest())).Sessions;
        Assert.Equal([("standup", "r2")], betaList.Select(s => (s.Id, s.Replica)));

        // Alpha watches its session from r2; beta's watch of the same id finds beta's own, never alpha's.
        using var alphaWatch = await WatchingClient.StartAsync(Client(alphaOn2), "standup", replay: true);
        var send = alpha.SendAsync(AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav")), speed: 4, seconds: 12);
        await beta.SendAsync(AudioLoader.LoadWav(RepoPaths.Ami("trn00.wav")), speed: 4, seconds: 2);
        await send;
        await Task.WhenAll(alpha.Completion, alphaWatch.Completion, beta.Completion).WaitAsync(Patience);
        Assert.Equal(alpha.Events, alphaWatch.Events);

        // Once beta's session ended, beta cannot reach alpha's live one under the same id from any replica.
        using var alpha2 = await StreamingClient.StartAsync(Client(c1), "alpha-only");
        var refused = await Assert.ThrowsAsync<RpcException>(() => WatchingClient.StartAsync(Client(betaOn2), "alpha-only", replay: true));
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.DoesNotContain((await Client(betaOn2).ListSessionsAsync(new ListSessionsRequest())).Sessions, s => s.Id == "alpha-only");
        Assert.Contains((await Client(alphaOn2).ListSessionsAsync(new ListSessionsRequest())).Sessions, s => s.Id == "alpha-only");
    }

    private static string[] Key(string tenant, string key) =>
    [
        $"--Server:Auth:Keys:{tenant}:Sha256={Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))}",
        $"--Server:Auth:Keys:{tenant}:Tenant={tenant}",
    ];

    private static GrpcChannelOptions Bearer(string key) => new()
    {
        Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("authorization", "Bearer " + key);
            return Task.CompletedTask;
        })),
        UnsafeUseInsecureChannelCallCredentials = true,
    };

    /// <summary>Opens a text/event-stream and waits for its first event; the task gives every data line once the server ends it.</summary>
    private static async Task<Task<List<string>>> OpenServerSentEvents(HttpClient http, string path)
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var data = new List<string>();
        async Task<bool> NextAsync()
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line["data: ".Length..]);
                    return true;
                }
            }
            return false;
        }
        Assert.True(await NextAsync(), $"{path}: no first event");
        return Task.Run(async () =>
        {
            using (response)
            using (reader)
            {
                while (await NextAsync())
                {
                }
            }
            return data;
        });
    }

    /// <summary>Starts replicas at once; if one fails to start, the others are stopped too (no process outlives the test).</summary>
    private static async Task<ServeProcess[]> StartAll(params string[][] replicas)
    {
        var starts = replicas.Select(args => ServeProcess.StartAsync(args)).ToArray();
        try
        {
            return await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var t in starts.Where(t => t.IsCompletedSuccessfully))
            {
                await t.Result.DisposeAsync();
            }
            throw;
        }
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, string failure)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Patience, failure);
            await Task.Delay(100);
        }
    }
}
