// Starts, runs and ends a live session the same way for a Diarize call and for the daemon's microphone.
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Metrics;
using StreamDiarize.Server.Services;
using StreamDiarize.Streaming;

namespace StreamDiarize.Server.Sessions;

/// <summary>
/// One path for every session, so whatever feeds the audio, Watch, ListSessions and the live page see the session
/// alike: <see cref="TryStart"/> registers it, <see cref="RunPipelineAsync"/> diarizes its audio into the session
/// (and a caller's response stream, when there is one), <see cref="Finish"/> removes it and ends its watchers.
/// </summary>
public sealed class SessionRunner(SessionRegistry registry, IOptions<ServerOptions> options, ServerMetrics metrics, ILogger<SessionRunner> logger)
{
    /// <summary>A registered session for <paramref name="plan"/>, or null with why not (the limit, or the id is taken).</summary>
    /// <param name="voices">The session's recent voice features (SessionComponents.Voices), for EnrollFromSession; null: none kept.</param>
    public LiveSession? TryStart(SessionPlan plan, string source, ISessionAudio audio, string tenant, Core.Speakers.VoiceFrameHistory? voices, out AddResult result)
    {
        var started = new DiarizeEvent { SessionStarted = new SessionStarted { SessionId = plan.SessionId, EffectiveConfig = plan.Effective } };
        var session = new LiveSession(plan.SessionId, source, started, audio, tenant) { Voices = voices };
        result = registry.TryAdd(session, options.Value.MaxSessions, options.Value.MaxSessionsPerTenant);
        if (result != AddResult.Added)
        {
            return null;
        }
        metrics.ActiveSessions.Inc();
        return session;
    }

    /// <summary>
    /// Diarizes the session's audio until it ends; events go to the session (ledger, watchers) and, when
    /// <paramref name="client"/> is given, to that response stream, timed from the audio that caused them.
    /// </summary>
    internal static Task RunPipelineAsync(LiveSession session, SessionComponents components, bool includeProvisional, ResponseEventWriter? client, CancellationToken cancellationToken)
    {
        var causes = new ConcurrentQueue<long>();
        var frameCauses = new ConcurrentQueue<(long Frame, double Seconds)>();
        var analyzer = new TimedFrameAnalyzer(components.Analyzer, frameCauses);
        var diarizer = new TimedFrameDiarizer(components.Diarizer, session.Audio, session.Lag, frameCauses, causes);
        var pipeline = new DiarizationPipeline(analyzer, diarizer, [new SessionEventSink(session, client, causes, includeProvisional)]);
        return pipeline.RunAsync(session.Audio, cancellationToken);
    }

    /// <summary>A session that never ran (its id was taken on another replica) leaves the registry without a trace.</summary>
    public void Withdraw(LiveSession session)
    {
        registry.Remove(session);
        session.End();
        metrics.ActiveSessions.Dec();
    }

    /// <summary>The session leaves the registry, its watchers drain and end, and the outcome is counted and logged.</summary>
    public void Finish(LiveSession session, string outcome)
    {
        registry.Remove(session);
        session.End();
        // Its last events go on to the bus (when there is one), then it leaves the directory.
        session.Outbox?.Complete();
        metrics.ActiveSessions.Dec();
        metrics.SessionsEnded.WithLabels(outcome).Inc();
        var final = session.FinalSegments();
        logger.LogInformation(
            "Session {SessionId} ({Source}, tenant {Tenant}) ended ({Outcome}) after {AudioSeconds:F1} s of audio in {WallSeconds:F1} s: {Speakers} speakers, {Segments} final segments, {Events} events, {Watchers} watchers",
            session.Id, session.Source, session.Tenant, outcome, session.Audio.SecondsReceived, (DateTimeOffset.UtcNow - session.StartTime).TotalSeconds,
            final.Select(s => s.Speaker).Distinct().Count(), final.Count, session.EventCount, session.WatchersEver);
    }
}
