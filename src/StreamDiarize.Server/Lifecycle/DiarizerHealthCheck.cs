// The health the gRPC health service and /healthz report: serving until a drain or a stop begins.
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace StreamDiarize.Server;

/// <summary>
/// Unhealthy (NOT_SERVING, HTTP 503) once the replica drains or stops: a load balancer or Kubernetes readiness probe
/// then sends new sessions to other replicas while this one finishes its own. A lost NATS connection does not make a
/// replica unready: its sessions run for their own clients, only watchers on other replicas miss them (logged).
/// </summary>
internal sealed class DiarizerHealthCheck(ServerDrain drain, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => Task.FromResult(
        drain.IsDraining || lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("draining: finishing its sessions, taking no new ones")
            : HealthCheckResult.Healthy("accepting sessions"));
}
