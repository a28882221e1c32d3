// API keys and tenants on the real daemon: no key, no service; a tenant sees, watches and follows only its own sessions.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class AuthTests
{
    private const string KeyA = "alpha-key-0123456789";
    private const string KeyB = "bravo-key-9876543210";

    internal static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static Task<DaemonHost> StartWithTwoTenants(params (string, string)[] more) => DaemonHost.StartAsync(new ScriptedSessionFactory(),
    [
        ("Server:Auth:Keys:a:Sha256", Hash(KeyA)), ("Server:Auth:Keys:a:Tenant", "alpha"),
        ("Server:Auth:Keys:b:Sha256", Hash(KeyB).ToUpperInvariant()), ("Server:Auth:Keys:b:Tenant", "bravo"),
        .. more,
    ]);

    internal static Metadata Bearer(string key) => new() { { "authorization", "Bearer " + key } };

    [Fact]
    public async Task A_client_without_a_key_or_with_a_wrong_one_is_unauthenticated_while_health_stays_open()
    {
        await using var daemon = await StartWithTwoTenants();

        var none = await Assert.ThrowsAsync<RpcException>(() => daemon.Client.ListSessionsAsync(new ListSessionsRequest()).ResponseAsync);
        var wrong = await Assert.ThrowsAsync<RpcException>(() => daemon.Client.ListSessionsAsync(new ListSessionsRequest(), Bearer("guess")).ResponseAsync);
        using var diarize = daemon.Client.Diarize();
        var stream = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(diarize.ResponseStream));
        var health = await new Grpc.Health.V1.Health.HealthClient(daemon.Channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Contains("no API key: send it as metadata 'authorization: Bearer KEY'", none.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Contains("the API key is not valid", wrong.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, stream.StatusCode);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(0, daemon.Registry.Count);
    }

    [Fact]
    public async Task Tenant_A_can_neither_list_nor_watch_tenant_B_session_over_gRPC_and_x_api_key_works_too()
    {
        await using var daemon = await StartWithTwoTenants();
        using var a = await OpenAs(daemon, KeyA, "a-meeting");
        using var b = await OpenAs(daemon, KeyB, "b-meeting");
        // The same id in two tenants is two sessions: ids do not leak across tenants through ALREADY_EXISTS.
        using var sameId = await OpenAs(daemon, KeyA, "b-meeting");

        var listA = await daemon.Client.ListSessionsAsync(new ListSessionsRequest(), Bearer(KeyA));
        var listB = await daemon.Client.ListSessionsAsync(new ListSessionsRequest(), new Metadata { { "x-api-key", KeyB } });
        Assert.Equal(["a-meeting", "b-meeting"], listA.Sessions.Select(s => s.Id).Order());
        Assert.Equal(["b-meeting"], listB.Sessions.Select(s => s.Id));
        Assert.Equal(3, daemon.Registry.Count);

        using var watchOther = daemon.Client.Watch(new WatchRequest { SessionId = "a-meeting" }, Bearer(KeyB));
        var refused = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(watchOther.ResponseStream));
        using var watchNobody = daemon.Client.Watch(new WatchRequest { SessionId = "nobody" }, Bearer(KeyB));
        var missing = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(watchNobody.ResponseStream));
        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
        Assert.Equal(missing.Status.Detail.Replace("nobody", "a-meeting", StringComparison.Ordinal), refused.Status.Detail);

        // B's own watcher sees B's session, not A's session of the same id.
        using var watchOwn = daemon.Client.Watch(new WatchRequest { SessionId = "b-meeting" }, Bearer(KeyB));
        Assert.True(await watchOwn.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("b-meeting", watchOwn.ResponseStream.Current.SessionStarted.SessionId);
        Assert.Equal(1, daemon.Registry.Snapshot("bravo").Single().WatcherCount);
        Assert.Equal(0, daemon.Registry.Snapshot("alpha").Sum(s => s.WatcherCount));

        foreach (var call in new[] { a, b, sameId })
        {
            await call.RequestStream.CompleteAsync();
        }
    }

    [Fact]
    public async Task Tenant_A_can_neither_list_nor_follow_tenant_B_session_over_http_and_the_page_needs_a_key()
    {
        await using var daemon = await StartWithTwoTenants();
        using var b = await OpenAs(daemon, KeyB, "b-only");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}") };

        using var anonymous = await http.GetAsync("/api/sessions");
        using var asA = await GetAs(http, "/api/sessions", KeyA);
        using var asB = await GetAs(http, "/api/sessions", KeyB);
        using var followAsA = await GetAs(http, "/api/sessions/b-only/events", KeyA);
        using var metricsAnonymous = await http.GetAsync("/metrics");
        using var healthz = await http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("[]", await asA.Content.ReadAsStringAsync());
        Assert.Contains("\"b-only\"", await asB.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, followAsA.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, metricsAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);

        // The page's way: the login form turns a key into an HttpOnly cookie, which the event stream then carries.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = http.BaseAddress };
        using var login = await browser.PostAsync("/login", new FormUrlEncodedContent([new("key", KeyB)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Contains("HttpOnly", login.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sessions/b-only/events");
        using var follow = await browser.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, follow.StatusCode);
        using var reader = new StreamReader(await follow.Content.ReadAsStreamAsync());
        Assert.Contains("\"started\"", await reader.ReadLineAsync());

        await b.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_key_file_is_reread_when_it_changes_so_keys_rotate_without_a_restart()
    {
        var file = Path.Combine(RepoPaths.NewTempDir(), "keys");
        await File.WriteAllTextAsync(file, $"# tenant sha256\nalpha {Hash(KeyA)}\n");
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(), ("Server:Auth:KeyFile", file));
        await daemon.Client.ListSessionsAsync(new ListSessionsRequest(), Bearer(KeyA));

        await File.WriteAllTextAsync(file, $"alpha {Hash(KeyB)}\n");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(1));

        await TestAudio.WaitForAsync(() => Refused(daemon, KeyA));
        await daemon.Client.ListSessionsAsync(new ListSessionsRequest(), Bearer(KeyB));
    }

    [Fact]
    public void Without_keys_a_non_loopback_host_is_refused_unless_insecure_is_given()
    {
        Microsoft.AspNetCore.Builder.WebApplication Build(params (string Key, string Value)[] settings) =>
            ServerHost.Build([], new ServerHostOptions
            {
                Overrides = [new("Server:Host", "0.0.0.0"), new("Server:GrpcPort", "0"), new("Server:HttpPort", "0"), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))],
            });

        var ex = Assert.Throws<Core.Options.OptionsValidationException>(() => Build());
        Assert.Contains("Server:Host 0.0.0.0 is reachable from other machines and no API keys are configured", ex.Message);
        Assert.Contains("--insecure", ex.Message);
        Assert.NotNull(Build(("Server:Insecure", "true")));
        Assert.NotNull(Build(("Server:Auth:Keys:a:Sha256", Hash(KeyA)), ("Server:Auth:Keys:a:Tenant", "alpha")));
        var kestrel = Assert.Throws<Core.Options.OptionsValidationException>(() => ServerHost.Build([], new ServerHostOptions
        {
            Overrides = [new("Kestrel:Endpoints:Grpc:Url", "http://0.0.0.0:0")],
        }));
        Assert.Contains("Kestrel:Endpoints:Grpc:Url http://0.0.0.0:0 is reachable from other machines", kestrel.Message);
    }

    [Fact]
    public async Task Without_keys_the_page_refuses_a_foreign_Host_header_on_loopback()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{daemon.HttpPort}/api/sessions");
        request.Headers.Host = "attacker.example";

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_gRPC_port_serves_gRPC_only_not_metrics_health_or_the_page()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var h2c = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        foreach (var path in new[] { "/metrics", "/healthz", "/", "/api/sessions" })
        {
            using var response = await h2c.GetAsync($"http://127.0.0.1:{daemon.GrpcPort}{path}");
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
        }
        Assert.Empty((await daemon.Client.ListSessionsAsync(new ListSessionsRequest())).Sessions);
    }

    private static bool Refused(DaemonHost daemon, string key)
    {
        try
        {
            daemon.Client.ListSessions(new ListSessionsRequest(), Bearer(key));
            return false;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
        {
            return true;
        }
    }

    internal static async Task<HttpResponseMessage> GetAs(HttpClient http, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    internal static async Task<AsyncDuplexStreamingCall<DiarizeRequest, DiarizeEvent>> OpenAs(DaemonHost daemon, string key, string id)
    {
        var call = daemon.Client.Diarize(Bearer(key));
        await TestAudio.SendAsync(call.RequestStream, TestAudio.Noise(0.5), TestAudio.F32Config(id), complete: false);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(id, call.ResponseStream.Current.SessionStarted.SessionId);
        return call;
    }
}
