// Per-tenant message rate (Server:RateLimit): a token bucket per tenant over every gRPC message and HTTP API request.
using System.Threading.RateLimiting;

namespace StreamDiarize.Server.Admission;

/// <summary>Server:RateLimit. Off when <see cref="MessagesPerSecond"/> is 0.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Messages one tenant may send per second on average: each call, each message of a Diarize stream, each /api or /metrics request.</summary>
    public int MessagesPerSecond { get; set; } = 10_000;

    /// <summary>Messages a tenant may send at once above the average (the bucket's size); 0 means one second's worth.</summary>
    public int BurstMessages { get; set; } = 20_000;

    public bool Enabled => MessagesPerSecond > 0;

    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (MessagesPerSecond is < 0 or > 10_000_000)
        {
            errors.Add($"Server:RateLimit:MessagesPerSecond {MessagesPerSecond} is invalid: use 0 (no limit) to 10000000");
        }
        if (BurstMessages is < 0 or > 100_000_000)
        {
            errors.Add($"Server:RateLimit:BurstMessages {BurstMessages} is invalid: use 0 (one second's worth) to 100000000");
        }
        return errors;
    }
}

/// <summary>
/// One token bucket per tenant (System.Threading.RateLimiting), refilled every second, never queueing: a message over
/// the rate is refused at once. Without API keys every caller is the one anonymous tenant "" and shares its bucket.
/// </summary>
public sealed class TenantRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public TenantRateLimiter(RateLimitOptions options)
    {
        Options = options;
        if (!options.Enabled)
        {
            return;
        }
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.BurstMessages > 0 ? options.BurstMessages : options.MessagesPerSecond,
            TokensPerPeriod = options.MessagesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(tenant => RateLimitPartition.GetTokenBucketLimiter(tenant, _ => bucket));
    }

    public RateLimitOptions Options { get; }

    /// <summary>Takes one message from <paramref name="tenant"/>'s bucket; false when the tenant is over its rate.</summary>
    public bool TryAcquire(string tenant)
    {
        if (_limiter is null)
        {
            return true;
        }
        using var lease = _limiter.AttemptAcquire(tenant);
        return lease.IsAcquired;
    }

    /// <summary>What a caller over the rate is told.</summary>
    public string Refusal => $"your tenant sent more than {Options.MessagesPerSecond} messages a second (Server:RateLimit:MessagesPerSecond, burst " +
        $"{(Options.BurstMessages > 0 ? Options.BurstMessages : Options.MessagesPerSecond)}): send fewer, larger audio chunks (100 ms each is 10 messages a second per session), " +
        "wait a second before retrying, or ask the operator to raise the limit";

    public void Dispose() => _limiter?.Dispose();
}
