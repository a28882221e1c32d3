// The daemon's voice-profile stores: one SQLite file per tenant under the data folder, opened on first use.
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamDiarize.Profiles;

namespace StreamDiarize.Server.Profiles;

/// <summary>
/// Without API keys everyone is the empty tenant and uses <c>DATA/profiles.db</c>, the file `enroll` and
/// `file --known` use. Each key's tenant gets <c>DATA/tenants/HASH/profiles.db</c>, so tenants never see each other's
/// voices. A store that cannot be opened (a corrupt file) is reported, and profile calls fail with FAILED_PRECONDITION
/// naming it, while sessions without known speakers go on; it is tried again on the next call.
/// </summary>
public sealed class ProfileStores(IOptions<ServerOptions> options, ILogger<ProfileStores> logger) : IHostedService
{
    private readonly ConcurrentDictionary<string, IProfileStore> _open = new(StringComparer.Ordinal);

    public string DataDirectory { get; } = string.IsNullOrWhiteSpace(options.Value.DataDirectory)
        ? SqliteProfileStore.DefaultDataDirectory
        : Path.GetFullPath(options.Value.DataDirectory);

    /// <summary>The tenant's store.</summary>
    /// <exception cref="RpcException">FAILED_PRECONDITION: the store cannot be opened; the message names the file and the fix.</exception>
    public IProfileStore For(string tenant)
    {
        if (_open.TryGetValue(tenant, out var store))
        {
            return store;
        }
        try
        {
            store = SqliteProfileStore.Open(FolderOf(tenant));
        }
        catch (ProfileStoreException e)
        {
            logger.LogError("Voice profiles unavailable: {Problem}", e.Message);
            throw Unavailable(e);
        }
        return _open.GetOrAdd(tenant, store);
    }

    /// <summary>The gRPC status for a store that failed: the operator's file, what is wrong, and that sessions go on.</summary>
    public static RpcException Unavailable(ProfileStoreException e) =>
        new(new Status(StatusCode.FailedPrecondition, $"voice profiles are unavailable: {e.Message}; sessions without known_speakers still run"));

    /// <summary>At start: open the default store so that a corrupt file is reported at once (the daemon keeps serving).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var store = For("");
            logger.LogInformation("Voice profiles: {Count} in {Location}", store.List().Count, store.Location);
        }
        catch (RpcException)
        {
            // Logged by For; the daemon serves without profiles.
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string FolderOf(string tenant)
    {
        if (tenant.Length == 0)
        {
            return DataDirectory;
        }
        // A tenant name may hold any character; its hash is a safe folder name.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant)))[..16];
        return Path.Combine(DataDirectory, "tenants", hash);
    }
}
