// The daemon's Prometheus metrics, served as text on the HTTP/1.1 endpoint at /metrics.
using Prometheus;

namespace StreamDiarize.Server.Metrics;

/// <summary>
/// One daemon's metrics, in a registry of its own (with the process and .NET runtime metrics), so that two daemons in
/// one process (tests, an embedding host) never write each other's gauges: /metrics serves <see cref="Registry"/>.
/// </summary>
public sealed class ServerMetrics
{
    public ServerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        ActiveSessions = factory.CreateGauge(
            "streamdiarize_active_sessions", "Diarize sessions running now.");
        AudioSecondsProcessed = factory.CreateCounter(
            "streamdiarize_audio_seconds_processed_total", "Seconds of audio read by session pipelines.");
        EventLatencySeconds = factory.CreateHistogram(
            "streamdiarize_event_latency_seconds",
            "Time from the audio chunk that caused an event arriving to the event being written to the Diarize response stream.",
            new HistogramConfiguration { Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5, 10] });
        WatcherEventsDropped = factory.CreateCounter(
            "streamdiarize_watcher_events_dropped_total", "Events dropped because a watcher read too slowly.");
        NonFiniteSamplesRepaired = factory.CreateCounter(
            "streamdiarize_non_finite_samples_total", "Audio samples received that were not audio (NaN, infinite, or beyond +-1e6) and were replaced by silence (0).");
        Refusals = factory.CreateCounter(
            "streamdiarize_refusals_total", "Calls refused or ended by authentication, quotas, timeouts and limits, by reason.", "reason");
        SessionsEnded = factory.CreateCounter(
            "streamdiarize_sessions_ended_total", "Diarize sessions that ended, by outcome.", "outcome");
        ProcessingLagSeconds = factory.CreateHistogram(
            "streamdiarize_processing_lag_seconds",
            "How far behind real time sessions' processing runs: time from audio being due (its arrival, or its real-time time for a faster sender) to it being diarized; one observation per active session per sample.",
            new HistogramConfiguration { Buckets = Admission.SessionLag.BucketBounds });
        SessionLagSeconds = factory.CreateGauge(
            "streamdiarize_session_lag_seconds", "A live session's processing lag: now (current), its largest (max) and 99th percentile (p99) so far.", "tenant", "session", "stat");
        ProcessingLagMaxSeconds = factory.CreateGauge(
            "streamdiarize_processing_lag_max_seconds", "The largest processing lag of any live session at the last sample.");
        AdmissionLagSeconds = factory.CreateGauge(
            "streamdiarize_admission_lag_seconds", "The processing lag admission control decides on: the Server:Admission:SessionQuantile of the active sessions' lags (never the single worst of two or more).");
        AtCapacity = factory.CreateGauge(
            "streamdiarize_at_capacity", "1 while the server refuses new sessions because its sessions run behind real time (Server:Admission), else 0.");
    }

    /// <summary>The registry /metrics serves: these metrics and the process's.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Diarize sessions running now.</summary>
    public Gauge ActiveSessions { get; }

    /// <summary>Seconds of audio the pipelines have read.</summary>
    public Counter AudioSecondsProcessed { get; }

    /// <summary>From the arrival of the audio chunk that caused an event to the event being written to the client.</summary>
    public Histogram EventLatencySeconds { get; }

    /// <summary>Events dropped from slow watchers' buffers.</summary>
    public Counter WatcherEventsDropped { get; }

    /// <summary>NaN or infinite samples received over gRPC and replaced by silence.</summary>
    public Counter NonFiniteSamplesRepaired { get; }

    /// <summary>Calls refused or ended by the server's guards, by why (unauthenticated, quota, idle, ...).</summary>
    public Counter Refusals { get; }

    /// <summary>Sessions that ended, by outcome (completed, cancelled, error code).</summary>
    public Counter SessionsEnded { get; }

    /// <summary>Every active session's processing lag, sampled by admission control (Server:Admission:SampleMilliseconds).</summary>
    public Histogram ProcessingLagSeconds { get; }

    /// <summary>Per session: the lag now, its maximum and its 99th percentile so far.</summary>
    public Gauge SessionLagSeconds { get; }

    /// <summary>The largest lag of any session at the last sample.</summary>
    public Gauge ProcessingLagMaxSeconds { get; }

    /// <summary>The lag admission control decides on (Server:Admission:SessionQuantile of the active sessions).</summary>
    public Gauge AdmissionLagSeconds { get; }

    /// <summary>1 while new sessions are refused as at capacity.</summary>
    public Gauge AtCapacity { get; }
}
