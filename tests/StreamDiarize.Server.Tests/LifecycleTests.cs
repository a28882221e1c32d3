// How sessions end: a client's cancel frees the session at once; server shutdown still delivers the final segments and SessionEnded.
using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task A_client_cancel_frees_the_session_at_once()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var cts = new CancellationTokenSource();
        using var call = daemon.Client.Diarize(cancellationToken: cts.Token);
        await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(2), TestAudio.F32Config("leaving"), complete: false);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(1, daemon.Registry.Count);

        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();
        while (daemon.Registry.Count > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), "the cancelled session is still registered after 2 s");
            await Task.Delay(10);
        }
        var list = await daemon.Client.ListSessionsAsync(new ListSessionsRequest());
        Assert.Empty(list.Sessions);
    }

    [Fact]
    public async Task Server_shutdown_sends_every_live_session_its_final_segments_and_SessionEnded_before_closing()
    {
        var factory = new ScriptedSessionFactory();
        await using var daemon = await DaemonHost.StartAsync(factory);
        using var a = daemon.Client.Diarize();
        using var b = daemon.Client.Diarize();
        await TestAudio.SendAsync(a.RequestStream, TestAudio.Noise(3), TestAudio.F32Config("a"), complete: false);
        await TestAudio.SendAsync(b.RequestStream, TestAudio.Noise(2), TestAudio.F32Config("b"), complete: false);
        // Well-behaved clients half-close when they see SessionEnded.
        var readA = TestAudio.ReadAllAsync(a.ResponseStream, onEnded: () => a.RequestStream.CompleteAsync());
        var readB = TestAudio.ReadAllAsync(b.ResponseStream, onEnded: () => b.RequestStream.CompleteAsync());
        // Every sample sent has arrived (3 s and 2 s) before the shutdown, so the final turns must cover all of it.
        await TestAudio.WaitForAsync(() =>
            daemon.Registry.TryGet("a", out var sa) && sa.Audio.SecondsReceived >= 3 &&
            daemon.Registry.TryGet("b", out var sb) && sb.Audio.SecondsReceived >= 2);

        // Each session was told to end quickly once the server stops (SessionOptions.Hurry: a live diarizer then skips the
        // end-of-stream work that only refines the record, such as round 18's recomputation on the session's floor).
        Assert.Equal(2, factory.Created.Count);
        Assert.All(factory.Created, o => Assert.True(o.Hurry.CanBeCanceled && !o.Hurry.IsCancellationRequested));

        await daemon.App.StopAsync(); // ApplicationStopping ends every session's audio; the clients never half-close
        Assert.All(factory.Created, o => Assert.True(o.Hurry.IsCancellationRequested, "a session was not told that the server is stopping"));

        var eventsA = await readA;
        var eventsB = await readB;
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, eventsA[^1].EventCase);
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, eventsB[^1].EventCase);
        Assert.Equal(3.0, eventsA[^1].StreamTimeSeconds, 2);
        Assert.Equal(2.0, eventsB[^1].StreamTimeSeconds, 2);
        Assert.Contains(eventsA, e => e.Segment is { IsFinal: true, EndSeconds: 3.0 });
        Assert.Equal(StatusCode.OK, a.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Health_is_serving_over_grpc_and_the_http1_endpoint_serves_healthz_and_prometheus_metrics()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        var health = await new Health.HealthClient(daemon.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var call = daemon.Client.Diarize();
        await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(1), TestAudio.F32Config());
        await TestAudio.ReadAllAsync(call.ResponseStream);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
        using var healthz = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(new Version(1, 1), healthz.Version);
        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("streamdiarize_active_sessions", metrics);
        Assert.Contains("streamdiarize_audio_seconds_processed_total", metrics);
        Assert.Contains("streamdiarize_event_latency_seconds_bucket", metrics);
        Assert.Contains("streamdiarize_watcher_events_dropped_total", metrics);
        Assert.Contains("process_cpu_seconds_total", metrics);
    }

    [Fact]
    public async Task Two_daemons_in_one_process_keep_their_own_metrics()
    {
        await using var busy = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        await using var idle = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = busy.Client.Diarize();
        await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(2), TestAudio.F32Config("only-here"), complete: false);

        using var busyHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{busy.HttpPort}") };
        using var idleHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{idle.HttpPort}") };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (AdmissionTests.Metric(await busyHttp.GetStringAsync("/metrics"), "streamdiarize_active_sessions") != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the busy daemon never counted its session");
            await Task.Delay(50);
        }
        string idleMetrics = await idleHttp.GetStringAsync("/metrics");
        Assert.Equal(0, AdmissionTests.Metric(idleMetrics, "streamdiarize_active_sessions"));
        Assert.Equal(0, AdmissionTests.Metric(idleMetrics, "streamdiarize_audio_seconds_processed_total"));
        await call.RequestStream.CompleteAsync();
        await TestAudio.ReadAllAsync(call.ResponseStream);
    }

    [Fact]
    public async Task Reflection_lists_the_diarizer_and_health_services()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(daemon.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("streamdiarize.v1.Diarizer", names);
        Assert.Contains("grpc.health.v1.Health", names);
    }

    [Fact]
    public async Task Reflection_turned_off_is_unimplemented_while_the_service_still_answers()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:Reflection", "false"));
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(daemon.Channel);
        using var call = reflection.ServerReflectionInfo();

        var ex = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
            await call.RequestStream.CompleteAsync();
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.Equal(Grpc.Core.StatusCode.Unimplemented, ex.StatusCode);
        Assert.Empty((await daemon.Client.ListSessionsAsync(new ListSessionsRequest())).Sessions);
    }
}
