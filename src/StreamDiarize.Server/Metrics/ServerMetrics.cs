// The daemon's Prometheus metrics, served as text on the HTTP/1.1 endpoint at /metrics.
using Prometheus;

namespace StreamDiarize.Server.Metrics;

public sealed class ServerMetrics
{
    /// <summary>Diarize sessions running now.</summary>
    public Gauge ActiveSessions { get; } = Prometheus.Metrics.CreateGauge(
        "streamdiarize_active_sessions", "Diarize sessions running now.");

    /// <summary>Seconds of audio the pipelines have read.</summary>
    public Counter AudioSecondsProcessed { get; } = Prometheus.Metrics.CreateCounter(
        "streamdiarize_audio_seconds_processed_total", "Seconds of audio read by session pipelines.");

    /// <summary>From the arrival of the audio chunk that caused an event to the event being written to the client.</summary>
    public Histogram EventLatencySeconds { get; } = Prometheus.Metrics.CreateHistogram(
        "streamdiarize_event_latency_seconds",
        "Time from the audio chunk that caused an event arriving to the event being written to the Diarize response stream.",
        new HistogramConfiguration { Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary>Events dropped from slow watchers' buffers.</summary>
    public Counter WatcherEventsDropped { get; } = Prometheus.Metrics.CreateCounter(
        "streamdiarize_watcher_events_dropped_total", "Events dropped because a watcher read too slowly.");

    /// <summary>NaN or infinite samples received over gRPC and replaced by silence.</summary>
    public Counter NonFiniteSamplesRepaired { get; } = Prometheus.Metrics.CreateCounter(
        "streamdiarize_non_finite_samples_total", "Audio samples received that were not audio (NaN, infinite, or beyond +-1e6) and were replaced by silence (0).");

    /// <summary>Calls refused or ended by the server's guards, by why (unauthenticated, quota, idle, ...).</summary>
    public Counter Refusals { get; } = Prometheus.Metrics.CreateCounter(
        "streamdiarize_refusals_total", "Calls refused or ended by authentication, quotas, timeouts and limits, by reason.", "reason");

    /// <summary>Sessions that ended, by outcome (completed, cancelled, error code).</summary>
    public Counter SessionsEnded { get; } = Prometheus.Metrics.CreateCounter(
        "streamdiarize_sessions_ended_total", "Diarize sessions that ended, by outcome.", "outcome");

    /// <summary>Every active session's processing lag, sampled by admission control (Server:Admission:SampleMilliseconds).</summary>
    public Histogram ProcessingLagSeconds { get; } = Prometheus.Metrics.CreateHistogram(
        "streamdiarize_processing_lag_seconds",
        "How far behind real time sessions' processing runs: time from audio being due (its arrival, or its real-time time for a faster sender) to it being diarized; one observation per active session per sample.",
        new HistogramConfiguration { Buckets = Admission.SessionLag.BucketBounds });

    /// <summary>Per session: the lag now, its maximum and its 99th percentile so far.</summary>
    public Gauge SessionLagSeconds { get; } = Prometheus.Metrics.CreateGauge(
        "streamdiarize_session_lag_seconds", "A live session's processing lag: now (current), its largest (max) and 99th percentile (p99) so far.", "tenant", "session", "stat");

    /// <summary>The largest lag of any session at the last sample.</summary>
    public Gauge ProcessingLagMaxSeconds { get; } = Prometheus.Metrics.CreateGauge(
        "streamdiarize_processing_lag_max_seconds", "The largest processing lag of any live session at the last sample.");

    /// <summary>The lag admission control decides on (Server:Admission:SessionQuantile of the active sessions).</summary>
    public Gauge AdmissionLagSeconds { get; } = Prometheus.Metrics.CreateGauge(
        "streamdiarize_admission_lag_seconds", "The processing lag admission control decides on: the Server:Admission:SessionQuantile of the active sessions' lags (never the single worst of two or more).");

    /// <summary>1 while new sessions are refused as at capacity.</summary>
    public Gauge AtCapacity { get; } = Prometheus.Metrics.CreateGauge(
        "streamdiarize_at_capacity", "1 while the server refuses new sessions because its sessions run behind real time (Server:Admission), else 0.");
}
