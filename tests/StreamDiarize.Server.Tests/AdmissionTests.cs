// Admission control on the real daemon: a session whose processing falls behind real time closes the door to new
// sessions (UNAVAILABLE, "at capacity"), readiness says so, /metrics shows the lag, and the door opens again after.
using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Tests;

public sealed class AdmissionTests
{
    internal static readonly (string, string)[] TightAdmission =
    [
        ("Server:Admission:MaxLagSeconds", "0.3"), ("Server:Admission:ResumeLagSeconds", "0.1"),
        ("Server:Admission:SessionQuantile", "1"), ("Server:Admission:SampleMilliseconds", "50"),
    ];

    [Fact]
    public async Task A_session_falling_behind_real_time_makes_new_sessions_unavailable_until_it_ends()
    {
        // Each 10 ms frame takes 20 ms to diarize: the session falls behind by half a second every second, for real.
        await using var daemon = await DaemonHost.StartAsync(new SlowSessionFactory(TimeSpan.FromMilliseconds(20)), TightAdmission);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
        var health = new Health.HealthClient(daemon.Channel);
        const string diarizer = "streamdiarize.v1.Diarizer";
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = diarizer })).Status);
        Assert.Equal("Healthy", await http.GetStringAsync("/readyz"));

        using var slow = daemon.Client.Diarize();
        await TestAudio.SendAsync(slow.RequestStream, TestAudio.Noise(4), TestAudio.F32Config("slow"), complete: false);
        var reading = TestAudio.ReadAllAsync(slow.ResponseStream);
        string ready = await PollReadyz(http, until: r => r.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable);
        // Read at once: the slow session catches up once its backlog is done, and the door then opens again.
        string metrics = await http.GetStringAsync("/metrics");

        using var refused = daemon.Client.Diarize();
        var ex = await TestAudio.RefusalAsync(refused, TestAudio.F32Config("new"));
        var readiness = await health.CheckAsync(new HealthCheckRequest { Service = diarizer });
        var liveness = await health.CheckAsync(new HealthCheckRequest());
        string refusals = await http.GetStringAsync("/metrics");

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("the server is at capacity", ex.Status.Detail);
        Assert.Contains("(Server:Admission:MaxLagSeconds is 0.3 s)", ex.Status.Detail);
        Assert.Contains("retry in a few seconds", ex.Status.Detail);
        Assert.Contains("at capacity", ready);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, readiness.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, liveness.Status);
        Assert.Equal(1, Metric(metrics, "streamdiarize_at_capacity"));
        Assert.True(Metric(metrics, "streamdiarize_session_lag_seconds{tenant=\"\",session=\"slow\",stat=\"max\"}") >= 0.3, metrics);
        Assert.True(Metric(metrics, "streamdiarize_session_lag_seconds{tenant=\"\",session=\"slow\",stat=\"p99\"}") > 0);
        Assert.True(Metric(metrics, "streamdiarize_admission_lag_seconds") >= 0.1);
        Assert.True(Metric(metrics, "streamdiarize_processing_lag_seconds_count") > 0);
        Assert.True(Metric(refusals, "streamdiarize_refusals_total{reason=\"at_capacity\"}") >= 1);
        Assert.Equal(1, daemon.Registry.Count);

        // The lagging session still ends with its turns; then the door opens and the session's series go away.
        await slow.RequestStream.CompleteAsync();
        var events = await reading;
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, events[^1].EventCase);
        await PollReadyz(http, until: r => r.StatusCode == System.Net.HttpStatusCode.OK);
        using var admitted = daemon.Client.Diarize();
        await admitted.RequestStream.WriteAsync(new DiarizeRequest { Config = TestAudio.F32Config("after") });
        await admitted.RequestStream.CompleteAsync();
        var after = await TestAudio.ReadAllAsync(admitted.ResponseStream);
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionStarted, after[0].EventCase);
        // The session's series go once the server has finished with it, which may be just after its last event.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string series;
        while ((series = await http.GetStringAsync("/metrics")).Contains("session=\"slow\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.DoesNotContain("session=\"slow\"", series);
    }

    [Fact]
    public async Task With_admission_control_off_a_lagging_server_still_admits_and_still_reports_the_lag()
    {
        await using var daemon = await DaemonHost.StartAsync(new SlowSessionFactory(TimeSpan.FromMilliseconds(20)),
            [.. TightAdmission, ("Server:Admission:Enabled", "false")]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
        using var slow = daemon.Client.Diarize();
        await TestAudio.SendAsync(slow.RequestStream, TestAudio.Noise(3), TestAudio.F32Config("slow"), complete: false);
        var reading = TestAudio.ReadAllAsync(slow.ResponseStream);
        await PollMetric(http, "streamdiarize_admission_lag_seconds", v => v >= 0.3);

        using var second = daemon.Client.Diarize();
        await second.RequestStream.WriteAsync(new DiarizeRequest { Config = TestAudio.F32Config("second") });
        await second.RequestStream.CompleteAsync();
        var events = await TestAudio.ReadAllAsync(second.ResponseStream);

        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, events[^1].EventCase);
        Assert.Equal("Healthy", await http.GetStringAsync("/readyz"));
        Assert.Equal(0, Metric(await http.GetStringAsync("/metrics"), "streamdiarize_at_capacity"));
        await slow.RequestStream.CompleteAsync();
        await reading;
    }

    [Fact]
    public async Task Bad_admission_settings_stop_the_start_naming_each_setting()
    {
        var ex = await Assert.ThrowsAsync<Core.Options.OptionsValidationException>(() => DaemonHost.StartAsync(new ScriptedSessionFactory(),
            ("Server:Admission:MaxLagSeconds", "0"), ("Server:Admission:SessionQuantile", "1.5"), ("Server:Admission:SampleMilliseconds", "1")));
        Assert.Contains("Server:Admission:MaxLagSeconds 0 is invalid", ex.Message);
        Assert.Contains("Server:Admission:SessionQuantile 1.5 is invalid", ex.Message);
        Assert.Contains("Server:Admission:SampleMilliseconds 1 is invalid", ex.Message);
    }

    internal static async Task<string> PollReadyz(HttpClient http, Func<HttpResponseMessage, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await http.GetAsync("/readyz");
            string body = await response.Content.ReadAsStringAsync();
            if (until(response))
            {
                return body;
            }
            Assert.True(DateTime.UtcNow < deadline, $"/readyz stayed {(int)response.StatusCode} {body}");
            await Task.Delay(50);
        }
    }

    private static async Task PollMetric(HttpClient http, string name, Func<double, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!until(Metric(await http.GetStringAsync("/metrics"), name)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} never reached the value awaited");
            await Task.Delay(50);
        }
    }

    /// <summary>The value of one series in Prometheus text, NaN when absent.</summary>
    internal static double Metric(string text, string series)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return double.NaN;
    }

    /// <summary>The scripted session, made slower than real time by a fixed cost per frame (a real, measured lag).</summary>
    internal sealed class SlowSessionFactory(TimeSpan perFrame) : ISessionComponentsFactory
    {
        private readonly ScriptedSessionFactory _inner = new();

        public SessionComponents Create(SessionOptions options)
        {
            var c = _inner.Create(options);
            return new SessionComponents(c.Analyzer, new SlowDiarizer(c.Diarizer, perFrame));
        }
    }

    private sealed class SlowDiarizer(IFrameDiarizer inner, TimeSpan perFrame) : IFrameDiarizer
    {
        public void OnFrame(long frameIndex, ReadOnlySpan<float> frame, List<DiarizationEvent> events)
        {
            Thread.Sleep(perFrame);
            inner.OnFrame(frameIndex, frame, events);
        }

        public void Complete(List<DiarizationEvent> events) => inner.Complete(events);
    }
}
