// Per-tenant quotas: one tenant at its session or watcher limit is refused while another still gets service.
using Grpc.Core;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Tests;

public sealed class QuotaTests
{
    private const string KeyA = "quota-alpha-key";
    private const string KeyB = "quota-bravo-key";

    [Fact]
    public async Task A_tenant_at_its_session_quota_is_refused_while_another_tenant_still_starts_sessions()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(),
            ("Server:Auth:Keys:a:Sha256", AuthTests.Hash(KeyA)), ("Server:Auth:Keys:a:Tenant", "alpha"),
            ("Server:Auth:Keys:b:Sha256", AuthTests.Hash(KeyB)), ("Server:Auth:Keys:b:Tenant", "bravo"),
            ("Server:MaxSessionsPerTenant", "1"), ("Server:MaxWatchersPerTenant", "1"));
        using var first = await AuthTests.OpenAs(daemon, KeyA, "one");

        using var second = daemon.Client.Diarize(AuthTests.Bearer(KeyA));
        var refused = await TestAudio.RefusalAsync(second, TestAudio.F32Config("two"));
        using var other = await AuthTests.OpenAs(daemon, KeyB, "two");

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("limit of 1 sessions (Server:MaxSessionsPerTenant)", refused.Status.Detail);

        using var watcher = daemon.Client.Watch(new WatchRequest { SessionId = "one" }, AuthTests.Bearer(KeyA));
        Assert.True(await watcher.ResponseStream.MoveNext(CancellationToken.None));
        using var secondWatcher = daemon.Client.Watch(new WatchRequest { SessionId = "one" }, AuthTests.Bearer(KeyA));
        var watchRefused = await Assert.ThrowsAsync<RpcException>(() => TestAudio.ReadAllAsync(secondWatcher.ResponseStream));
        Assert.Equal(StatusCode.ResourceExhausted, watchRefused.StatusCode);
        Assert.Contains("(Server:MaxWatchersPerTenant)", watchRefused.Status.Detail);

        await first.RequestStream.CompleteAsync();
        await other.RequestStream.CompleteAsync();
    }
}
