// Samples every live session's processing lag a few times a second, publishes it to /metrics, and closes the door to
// new sessions while the sessions already running fall behind real time (Server:Admission).
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamDiarize.Server.Metrics;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Admission;

/// <summary>
/// When the cores cannot keep up, every session falls behind together; admitting one more makes all of them worse.
/// So the lag of the sessions that are processing audio (the <see cref="AdmissionOptions.SessionQuantile"/> of them) is
/// the capacity signal: at <see cref="AdmissionOptions.MaxLagSeconds"/> new sessions are refused with UNAVAILABLE, and
/// they are taken again once it is below <see cref="AdmissionOptions.ResumeLagSeconds"/>. It is also the readiness
/// health check ("streamdiarize.v1.Diarizer" over gRPC, /readyz over HTTP).
/// </summary>
public sealed class AdmissionControl(SessionRegistry registry, IOptions<ServerOptions> options, ServerMetrics metrics, ILogger<AdmissionControl> logger)
    : BackgroundService, IHealthCheck
{
    private readonly AdmissionOptions _options = options.Value.Admission;
    private readonly List<double> _lags = [];
    private readonly Dictionary<LiveSession, string[]> _published = [];
    private readonly HashSet<LiveSession> _seen = [];
    private readonly Lock _sampleLock = new();
    private volatile bool _atCapacity;
    private double _signal;

    /// <summary>True while new sessions are refused (never when admission control is off).</summary>
    public bool AtCapacity => _options.Enabled && _atCapacity;

    /// <summary>The lag that decides, at the last sample: the chosen quantile of the active sessions' lags (0 when none is active).</summary>
    public double LagSeconds => Volatile.Read(ref _signal);

    /// <summary>The refusal for a new session now, or null when it may start.</summary>
    public string? Refusal() => AtCapacity
        ? $"the server is at capacity: its sessions run {LagSeconds:F2} s behind real time (Server:Admission:MaxLagSeconds is {_options.MaxLagSeconds} s), " +
          "so it takes no new session now: retry in a few seconds with backoff, or connect to another instance"
        : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.SampleMilliseconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                SampleOnce();
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
    }

    /// <summary>One sampling round: every session's lag, the per-session and aggregate metrics, the capacity decision.</summary>
    public void SampleOnce()
    {
        lock (_sampleLock)
        {
            _lags.Clear();
            _seen.Clear();
            double max = 0;
            foreach (var session in registry.Snapshot())
            {
                _seen.Add(session);
                double? lag = session.Lag.Sample(session.Audio);
                if (lag is { } l)
                {
                    _lags.Add(l);
                    max = Math.Max(max, l);
                    metrics.ProcessingLagSeconds.Observe(l);
                }
                Publish(session);
            }
            foreach (var gone in _published.Keys.Where(s => !_seen.Contains(s)).ToList())
            {
                foreach (var stat in Stats)
                {
                    metrics.SessionLagSeconds.RemoveLabelled([.. _published[gone], stat]);
                }
                _published.Remove(gone);
            }
            _lags.Sort();
            double signal = _lags.Count == 0 ? 0 : _lags[Math.Clamp((int)Math.Ceiling(_options.SessionQuantile * _lags.Count) - 1, 0, _lags.Count - 1)];
            Volatile.Write(ref _signal, signal);
            metrics.ProcessingLagMaxSeconds.Set(max);
            metrics.AdmissionLagSeconds.Set(signal);
            Decide(signal);
            metrics.AtCapacity.Set(AtCapacity ? 1 : 0);
        }
    }

    private static readonly string[] Stats = ["current", "max", "p99"];

    private void Publish(LiveSession session)
    {
        if (!_published.TryGetValue(session, out var labels))
        {
            labels = [session.Tenant, session.Id];
            _published[session] = labels;
        }
        metrics.SessionLagSeconds.WithLabels(labels[0], labels[1], "current").Set(session.Lag.CurrentSeconds);
        metrics.SessionLagSeconds.WithLabels(labels[0], labels[1], "max").Set(session.Lag.MaxSeconds);
        metrics.SessionLagSeconds.WithLabels(labels[0], labels[1], "p99").Set(session.Lag.P99Seconds);
    }

    private void Decide(double signal)
    {
        if (!_atCapacity && signal >= _options.MaxLagSeconds)
        {
            _atCapacity = true;
            if (_options.Enabled)
            {
                logger.LogWarning("At capacity: sessions run {Lag:F2} s behind real time (Server:Admission:MaxLagSeconds {Max} s); new sessions are refused until it is under {Resume} s",
                    signal, _options.MaxLagSeconds, _options.ResumeLagSeconds);
            }
        }
        else if (_atCapacity && signal < _options.ResumeLagSeconds)
        {
            _atCapacity = false;
            if (_options.Enabled)
            {
                logger.LogInformation("Taking new sessions again: lag {Lag:F2} s", signal);
            }
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["lag_seconds"] = LagSeconds };
        return Task.FromResult(Refusal() is { } refusal
            ? HealthCheckResult.Unhealthy(refusal, data: data)
            : HealthCheckResult.Healthy(_options.Enabled ? "accepting sessions" : "accepting sessions (admission control off)", data));
    }
}
