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

    /// <summary>
    /// The lag that decides, from the active sessions' lags sorted ascending: the <paramref name="quantile"/> session,
    /// but never the single worst one when there are two or more, so one slow client alone does not close the door.
    /// </summary>
    public static double Signal(List<double> sortedLags, double quantile)
    {
        int n = sortedLags.Count;
        if (n == 0)
        {
            return 0;
        }
        int rank = Math.Clamp((int)Math.Ceiling(quantile * n) - 1, 0, n - 1);
        return sortedLags[n >= 2 ? Math.Min(rank, n - 2) : rank];
    }

    /// <summary>True while new sessions are refused (never when admission control is off).</summary>
    public bool AtCapacity => _options.Enabled && _atCapacity;

    /// <summary>The lag that decides, at the last sample: the chosen quantile of the active sessions' lags (0 when none is active).</summary>
    public double LagSeconds => Volatile.Read(ref _signal);

    /// <summary>The refusal for a new session now, or null when it may start.</summary>
    public string? Refusal()
    {
        if (!AtCapacity)
        {
            return null;
        }
        string lag = $"its sessions run {LagSeconds:F2} s behind real time (Server:Admission:MaxLagSeconds is {_options.MaxLagSeconds} s)";
        string cpu = $"it used {Volatile.Read(ref _cpuShare) * 100:F0} % of its {Environment.ProcessorCount} core(s) (Server:Admission:MaxCpuShare is {_options.MaxCpuShare})";
        string why = !_cpuFull ? lag : LagSeconds >= _options.MaxLagSeconds ? cpu + " and " + lag : cpu;
        return $"the server is at capacity: {why}, so it takes no new session now: retry in a few seconds with backoff, or connect to another instance";
    }

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
            double share = CpuShare();
            bool busy = _options.MaxCpuShare > 0 && share >= _options.MaxCpuShare;
            bool spare = share < ForgiveBelowCpuShare;
            foreach (var session in registry.Snapshot())
            {
                _seen.Add(session);
                if (spare)
                {
                    // CPU to spare: audio that reached the server late was late from the client (a pause, a slow
                    // clock), not left waiting by a daemon too busy to read it, so it is not the daemon's lag.
                    session.Audio.ForgiveLateness();
                }
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
            double signal = Signal(_lags, _options.SessionQuantile);
            Volatile.Write(ref _signal, signal);
            metrics.ProcessingLagMaxSeconds.Set(max);
            metrics.AdmissionLagSeconds.Set(signal);
            bool cpuFull = busy && _wasBusy && _lags.Count > 0;
            _wasBusy = busy;
            Volatile.Write(ref _cpuShare, share);
            Decide(signal, cpuFull);
            metrics.AtCapacity.Set(AtCapacity ? 1 : 0);
        }
    }

    private static readonly string[] Stats = ["current", "max", "p99"];

    private TimeSpan _lastCpu = Environment.CpuUsage.TotalTime;
    private long _lastCpuAt = System.Diagnostics.Stopwatch.GetTimestamp();
    private bool _wasBusy;
    private volatile bool _cpuFull;

    /// <summary>
    /// Below this share of its cores the daemon has CPU to spare, so audio that reached it late was late from the client
    /// (a pause, a slow clock), not left unread in the transport by a busy daemon, and is not counted as lag.
    /// </summary>
    public const double ForgiveBelowCpuShare = 0.8;
    private double _cpuShare;

    /// <summary>
    /// The share of its cores (Environment.ProcessorCount, which follows CPU affinity and container limits) the daemon
    /// used since the last sample.
    /// </summary>
    private double CpuShare()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        double wall = System.Diagnostics.Stopwatch.GetElapsedTime(_lastCpuAt, now).TotalSeconds;
        double used = (cpu - _lastCpu).TotalSeconds;
        _lastCpu = cpu;
        _lastCpuAt = now;
        return wall > 0 ? used / (wall * Environment.ProcessorCount) : 0;
    }

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

    private void Decide(double signal, bool cpuFull)
    {
        bool over = signal >= _options.MaxLagSeconds || cpuFull;
        if (!_atCapacity && over)
        {
            _cpuFull = cpuFull;
            // The gauge first: whoever sees the door closed (readiness, a refusal) then also reads it in /metrics.
            metrics.AtCapacity.Set(_options.Enabled ? 1 : 0);
            _atCapacity = true;
            if (_options.Enabled)
            {
                logger.LogWarning("At capacity: sessions run {Lag:F2} s behind real time (Server:Admission:MaxLagSeconds {Max} s), the daemon used {Cpu:P0} of its {Cores} core(s) (Server:Admission:MaxCpuShare {Share}); new sessions are refused until the lag is under {Resume} s and the cores are not busy",
                    signal, _options.MaxLagSeconds, Volatile.Read(ref _cpuShare), Environment.ProcessorCount, _options.MaxCpuShare, _options.ResumeLagSeconds);
            }
        }
        else if (_atCapacity && signal < _options.ResumeLagSeconds && !cpuFull && !_wasBusy)
        {
            metrics.AtCapacity.Set(0);
            _atCapacity = false;
            if (_options.Enabled)
            {
                logger.LogInformation("Taking new sessions again: lag {Lag:F2} s", signal);
            }
        }
        else if (_atCapacity)
        {
            _cpuFull = cpuFull || (_wasBusy && signal < _options.MaxLagSeconds);
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
