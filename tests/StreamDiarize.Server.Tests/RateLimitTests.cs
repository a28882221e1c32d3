// Per-tenant message rate (Server:RateLimit) on the real daemon: a tenant over its rate has its session ended with
// its final turns and RESOURCE_EXHAUSTED, its calls and API requests refused, while another tenant is served.
using Grpc.Core;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Tests;

public sealed class RateLimitTests
{
    private const string KeyA = "rate-alpha-key";
    private const string KeyB = "rate-bravo-key";

    private static Task<DaemonHost> Start() => DaemonHost.StartAsync(new ScriptedSessionFactory(),
        ("Server:Auth:Keys:a:Sha256", AuthTests.Hash(KeyA)), ("Server:Auth:Keys:a:Tenant", "alpha"),
        ("Server:Auth:Keys:b:Sha256", AuthTests.Hash(KeyB)), ("Server:Auth:Keys:b:Tenant", "bravo"),
        ("Server:RateLimit:MessagesPerSecond", "20"), ("Server:RateLimit:BurstMessages", "30"));

    [Fact]
    public async Task A_tenant_sending_too_many_messages_has_its_session_ended_with_its_turns_and_resource_exhausted_while_another_is_served()
    {
        await using var daemon = await Start();
        using var flood = daemon.Client.Diarize(AuthTests.Bearer(KeyA));
        // 5 s of audio in 100 ms chunks, as fast as possible: 50 messages against a burst of 30.
        var sending = LimitTests.SendQuietly(flood.RequestStream, TestAudio.Noise(5), TestAudio.F32Config("flood"));

        var (events, ex) = await LimitTests.ReadUntilStatus(flood);
        await sending;
        using var calm = daemon.Client.Diarize(AuthTests.Bearer(KeyB));
        await TestAudio.SendAsync(calm.RequestStream, TestAudio.Noise(1), TestAudio.F32Config("calm"));
        var calmEvents = await TestAudio.ReadAllAsync(calm.ResponseStream);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("more than 20 messages a second (Server:RateLimit:MessagesPerSecond, burst 30)", ex.Status.Detail);
        Assert.Contains("send fewer, larger audio chunks", ex.Status.Detail);
        var ended = events[^1].SessionEnded;
        Assert.Equal(EndReason.RateLimited, ended.Reason);
        Assert.Equal(ex.Status.Detail, ended.Detail);
        // The scripted diarizer closes a turn every 0.5 s: the audio admitted before the limit (about 3 s) keeps its turns.
        Assert.True(ended.SegmentCount >= 3, $"{ended.SegmentCount} final segments");
        Assert.Equal(EndReason.AudioEnded, calmEvents[^1].SessionEnded.Reason);
    }

    [Fact]
    public async Task Calls_and_api_requests_over_the_rate_are_refused_for_that_tenant_only()
    {
        await using var daemon = await Start();
        RpcException? refused = null;
        for (int i = 0; i < 200 && refused is null; i++)
        {
            try
            {
                await daemon.Client.ListSessionsAsync(new ListSessionsRequest(), AuthTests.Bearer(KeyA));
            }
            catch (RpcException ex)
            {
                refused = ex;
            }
        }
        var other = await daemon.Client.ListSessionsAsync(new ListSessionsRequest(), AuthTests.Bearer(KeyB));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };
        // The bucket refills 20 a second, so on a slow machine it may have tokens again: ask until it is empty.
        HttpResponseMessage page = await AuthTests.GetAs(http, "/api/sessions", KeyA);
        for (int i = 0; i < 200 && page.StatusCode == System.Net.HttpStatusCode.OK; i++)
        {
            page.Dispose();
            page = await AuthTests.GetAs(http, "/api/sessions", KeyA);
        }
        using var _ = page;

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("(Server:RateLimit:MessagesPerSecond, burst 30)", refused.Status.Detail);
        Assert.Empty(other.Sessions);
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Equal("1", page.Headers.RetryAfter?.ToString());
        Assert.Contains("Server:RateLimit:MessagesPerSecond", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_rate_limit_settings_stop_the_start_naming_the_setting()
    {
        var ex = await Assert.ThrowsAsync<Core.Options.OptionsValidationException>(() => DaemonHost.StartAsync(new ScriptedSessionFactory(),
            ("Server:RateLimit:MessagesPerSecond", "-1")));
        Assert.Contains("Server:RateLimit:MessagesPerSecond -1 is invalid", ex.Message);
    }
}
