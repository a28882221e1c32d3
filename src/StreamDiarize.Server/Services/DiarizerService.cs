// The streamdiarize.v1.Diarizer service: Diarize runs one session per call, Watch follows one, ListSessions lists them.
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Admission;
using StreamDiarize.Server.Metrics;
using StreamDiarize.Server.Models;
using StreamDiarize.Server.Security;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Services;

public sealed class DiarizerService(
    ISessionComponentsFactory factory,
    ModelCatalog models,
    SessionLocator locator,
    SessionRunner runner,
    ServerDrain drain,
    IOptions<ServerOptions> options,
    ServerMetrics metrics,
    AdmissionControl admission,
    TenantRateLimiter rate,
    IHostApplicationLifetime lifetime,
    ILogger<DiarizerService> logger,
    Profiles.ProfileStores profiles) : Diarizer.DiarizerBase
{
    private readonly ServerOptions _options = options.Value;

    public override async Task Diarize(IAsyncStreamReader<DiarizeRequest> requestStream, IServerStreamWriter<DiarizeEvent> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (admission.Refusal() is { } atCapacity)
        {
            // Refused before anything is read or built: at capacity, a new session would slow every running one.
            metrics.Refusals.WithLabels("at_capacity").Inc();
            throw new RpcException(new Status(StatusCode.Unavailable, atCapacity));
        }
        if (!await FirstMessageAsync(requestStream, ct).ConfigureAwait(false))
        {
            throw Invalid("the call carried no messages: send a SessionConfig (config) first, then audio chunks");
        }
        if (requestStream.Current.PayloadCase != DiarizeRequest.PayloadOneofCase.Config)
        {
            throw Invalid($"the first message must be a SessionConfig (config), not {Describe(requestStream.Current.PayloadCase)}: send config first, then audio chunks");
        }
        if (drain.IsDraining)
        {
            metrics.Refusals.WithLabels("draining").Inc();
            throw new RpcException(new Status(StatusCode.Unavailable,
                "this server is draining for a restart (SIGTERM) and takes no new sessions: start the session on another replica (the load balancer no longer sends new ones here) or retry in a few seconds"));
        }
        var plan = SessionConfigReader.Read(requestStream.Current.Config, _options.Session, models, (factory as IComponentChoices)?.Registry, _options.Profiles.SessionHistorySeconds);
        var known = requestStream.Current.Config.KnownSpeakers;
        if (known.Count > 0)
        {
            var chosen = Profiles.SpeakerProfilesService.Resolve(profiles, ApiKeyAuthentication.TenantOf(context.GetHttpContext()), known);
            plan.Effective.KnownSpeakers.AddRange(known);
            plan = plan with { Options = plan.Options with { KnownSpeakers = chosen } };
        }

        SessionComponents components;
        try
        {
            // A shutdown ends every session at once, within its grace: their ends skip what only refines the record.
            components = factory.Create(plan.Options with { Hurry = lifetime.ApplicationStopping });
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidOperationException or NotSupportedException
                                       or Onnx.OnnxModelException or Core.Options.OptionsValidationException)
        {
            // The details name the operator's file; the client learns only which model failed and whose fix it is.
            logger.LogWarning("Session {SessionId}: embedder {Embedder} or vad {Vad} cannot be used: {Problem}", plan.SessionId, plan.Effective.Embedder, plan.Effective.Vad, ex.Message);
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"the server cannot use embedder '{plan.Effective.Embedder}' with vad '{plan.Effective.Vad}' now: its operator must fix the model (the server log has the details); 'features' and 'energy' work meanwhile"));
        }

        await using var audio = new GrpcAudioSource(plan.SessionId, plan.Format, _options.AudioBufferChunks,
            s => metrics.AudioSecondsProcessed.Inc(s), n => metrics.NonFiniteSamplesRepaired.Inc(n));
        string tenant = ApiKeyAuthentication.TenantOf(context.GetHttpContext());
        // "web" when the browser microphone's WebSocket carries the call (Web/WebSocketCall.cs).
        string source = context.UserState.TryGetValue(Web.WebSocketCallContext.SourceKey, out var s) && s is string named ? named : "grpc";
        var session = runner.TryStart(plan, source, audio, tenant, components.Voices, out var added);
        if (session is null)
        {
            // The pipeline that would have released it never runs (a VAD model's lease).
            (components.Diarizer as IDisposable)?.Dispose();
            throw added switch
            {
                AddResult.Full => new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"the server is running its limit of {_options.MaxSessions} sessions (Server:MaxSessions): retry later, or raise the limit")),
                AddResult.TenantFull => new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"your tenant is running its limit of {_options.MaxSessionsPerTenant} sessions (Server:MaxSessionsPerTenant): end one, or ask the operator to raise the limit")),
                _ => new RpcException(new Status(StatusCode.AlreadyExists,
                    $"session_id '{plan.SessionId}' is already live: pick another id, or leave it empty for a generated one")),
            };
        }

        if (!await locator.AnnounceAsync(session, ct).ConfigureAwait(false))
        {
            runner.Withdraw(session);
            (components.Diarizer as IDisposable)?.Dispose();
            throw new RpcException(new Status(StatusCode.AlreadyExists,
                $"session_id '{plan.SessionId}' is already live on another replica: pick another id, or leave it empty for a generated one"));
        }

        string outcome = "completed";
        logger.LogInformation(
            "Session {SessionId} started: {Encoding} {SampleRateHz} Hz x{Channels}, exact {ExactSpeakers}, min {MinSpeakers}, max {MaxSpeakers} speakers, latency {LatencySeconds} s, embedder {Embedder}, vad {Vad}, peer {Peer}",
            plan.SessionId, plan.Format.Encoding, plan.Format.SampleRateHz, plan.Format.Channels, plan.Options.ExactSpeakers, plan.Options.MinSpeakers,
            plan.Options.MaxSpeakers, plan.Options.LatencySeconds, plan.Effective.Embedder, plan.Effective.Vad, context.Peer);
        var writer = new ResponseEventWriter(responseStream, metrics, ct);
        // Every way a session can end early goes through here: the reason is recorded first, so SessionEnded carries it,
        // then the audio ends as if the client had half-closed, so the pipeline flushes the final turns.
        void End(EndReason reason, string detail)
        {
            if (session.TrySetEnding(reason, detail))
            {
                audio.Complete();
            }
        }
        var activity = new SessionActivity();
        try
        {
            await writer.WriteAsync(session.Started, 0, ct).ConfigureAwait(false);

            using var stopping = lifetime.ApplicationStopping.Register(() => End(EndReason.ServerShutdown, "the server is shutting down: reconnect to another instance or later"));
            using var watchdog = new Timer(_ => CheckLimits(activity, End), null, WatchdogPeriod, WatchdogPeriod);
            var pump = PumpAsync(requestStream, audio, activity, End, tenant, ct);
            await SessionRunner.RunPipelineAsync(session, components, plan.IncludeProvisional, writer, ct).ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
            var (reason, detail) = session.Ending;
            if (reason == EndReason.ServerShutdown && !pump.IsCompleted)
            {
                // Ended by shutdown while the client still sends: give it a moment to see SessionEnded and half-close,
                // so the call ends with a clean END_STREAM on both sides rather than a reset of its request.
                await Task.WhenAny(pump, Task.Delay(ShutdownDrain, ct)).ConfigureAwait(false);
            }
            if (LimitStatus(reason) is { } code)
            {
                // The final turns and SessionEnded are out; the status says the server ended the session, and why.
                metrics.Refusals.WithLabels(reason.ToString()).Inc();
                throw new RpcException(new Status(code, detail));
            }
        }
        catch (Exception ex)
        {
            outcome = ex switch
            {
                RpcException rpc => rpc.StatusCode.ToString(),
                OperationCanceledException or IOException when ct.IsCancellationRequested => "cancelled",
                _ => "error",
            };
            await writer.AbandonAsync(ex).ConfigureAwait(false);
            if (ex is not RpcException && !ct.IsCancellationRequested)
            {
                logger.LogError(ex, "Session {SessionId} failed", plan.SessionId);
                throw new RpcException(new Status(StatusCode.Internal, $"session {plan.SessionId} failed: {ex.Message}"));
            }
            if (ex is not RpcException)
            {
                // The client went away (cancel, reset): an ordinary end, not an error for the log.
                throw new RpcException(new Status(StatusCode.Cancelled, "the client cancelled the call"));
            }
            throw;
        }
        finally
        {
            // The session leaves the registry the moment the call ends, whatever ended it.
            runner.Finish(session, outcome);
        }
    }

    private static StatusCode? LimitStatus(EndReason reason) => reason switch
    {
        EndReason.IdleTimeout => StatusCode.DeadlineExceeded,
        EndReason.AudioLimit or EndReason.TimeLimit or EndReason.RateLimited => StatusCode.ResourceExhausted,
        _ => null,
    };

    /// <summary>
    /// Waits for the call's first message, but not for ever: a call that sends nothing is ended after the idle timeout,
    /// and at once when the server stops, so a silent client can hold neither a slot nor the shutdown.
    /// </summary>
    private async Task<bool> FirstMessageAsync(IAsyncStreamReader<DiarizeRequest> requestStream, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        var first = requestStream.MoveNext(ct);
        var timeout = Task.Delay(TimeSpan.FromSeconds(_options.IdleTimeoutSeconds), wait.Token);
        if (await Task.WhenAny(first, timeout).ConfigureAwait(false) == first)
        {
            await wait.CancelAsync().ConfigureAwait(false);
            try
            {
                return await first.ConfigureAwait(false);
            }
            catch (Exception ex) when (IsMalformed(ex))
            {
                throw Malformed();
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
                // Kestrel reset the stream under the client (e.g. its HTTP/2 stream or rapid-reset limits): nothing to serve.
                logger.LogDebug(ex, "A Diarize call was reset before its config arrived");
                throw new RpcException(new Status(StatusCode.Cancelled, "the call was reset before its config arrived"));
            }
        }
        // The pending read fails when the call ends; observe it so it is not reported as unobserved.
        _ = first.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            metrics.Refusals.WithLabels("shutdown").Inc();
            throw new RpcException(new Status(StatusCode.Unavailable, "the server is shutting down: retry on another instance or later"));
        }
        ct.ThrowIfCancellationRequested();
        metrics.Refusals.WithLabels("no_config").Inc();
        throw new RpcException(new Status(StatusCode.DeadlineExceeded,
            $"no SessionConfig arrived within {_options.IdleTimeoutSeconds} s of the call's start (Server:IdleTimeoutSeconds): send the config as the first message"));
    }

    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(250);

    private void CheckLimits(SessionActivity activity, Action<EndReason, string> end)
    {
        if (activity.SecondsIdle > _options.IdleTimeoutSeconds)
        {
            end(EndReason.IdleTimeout,
                $"no audio arrived for {_options.IdleTimeoutSeconds} s (Server:IdleTimeoutSeconds): send audio at least that often (silence counts), or half-close to end the session");
        }
        else if (activity.SecondsSinceStart > _options.MaxSessionWallSeconds)
        {
            end(EndReason.TimeLimit,
                $"session reached its limit of {_options.MaxSessionWallSeconds} s of wall-clock time (Server:MaxSessionWallSeconds): start a new session to go on, or raise the limit");
        }
    }

    /// <summary>
    /// When the session started, and since when it has been waiting for the client. Only time spent waiting for the
    /// client counts as idle: a pump held up by a busy pipeline (backpressure) is not the client's silence.
    /// </summary>
    private sealed class SessionActivity
    {
        private const long NotWaiting = long.MaxValue;
        private readonly long _start = Environment.TickCount64;
        private long _waitingSince = Environment.TickCount64;

        public double SecondsSinceStart => (Environment.TickCount64 - _start) / 1000.0;

        public double SecondsIdle
        {
            get
            {
                long since = Interlocked.Read(ref _waitingSince);
                return since == NotWaiting ? 0 : (Environment.TickCount64 - since) / 1000.0;
            }
        }

        public void WaitingForClient() => Interlocked.Exchange(ref _waitingSince, Environment.TickCount64);

        public void Busy() => Interlocked.Exchange(ref _waitingSince, NotWaiting);
    }

    /// <summary>Moves audio from the request stream into the session's source; every problem ends the source with that error.</summary>
    private async Task PumpAsync(IAsyncStreamReader<DiarizeRequest> requestStream, GrpcAudioSource audio, SessionActivity activity, Action<EndReason, string> end, string tenant, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                activity.WaitingForClient();
                if (!await requestStream.MoveNext(ct).ConfigureAwait(false))
                {
                    break;
                }
                activity.Busy();
                if (!rate.TryAcquire(tenant))
                {
                    // Over the tenant's rate: the session ends like at any limit, with its final turns and the reason.
                    end(EndReason.RateLimited, rate.Refusal);
                    await DiscardRest(requestStream, ct).ConfigureAwait(false);
                    return;
                }
                var message = requestStream.Current;
                if (message.PayloadCase != DiarizeRequest.PayloadOneofCase.Audio)
                {
                    audio.Complete(Invalid($"only the first message may be a SessionConfig; later ones must be audio, got {Describe(message.PayloadCase)}: open a new call for a new config"));
                    return;
                }
                var data = message.Audio.Data;
                if (data.Length > _options.MaxMessageBytes)
                {
                    audio.Complete(new RpcException(new Status(StatusCode.ResourceExhausted,
                        $"audio chunk of {data.Length} bytes is over the limit of {_options.MaxMessageBytes} (Server:MaxMessageBytes): send smaller chunks, e.g. 100 ms each")));
                    return;
                }
                await audio.WriteAsync(data.Memory, ct).ConfigureAwait(false);
                if (audio.SecondsReceived >= _options.MaxSessionSeconds)
                {
                    end(EndReason.AudioLimit,
                        $"session reached its limit of {_options.MaxSessionSeconds} s of audio (Server:MaxSessionSeconds): start a new session to go on, or raise the limit");
                    return;
                }
            }
            end(EndReason.AudioEnded, "");
        }
        catch (Exception ex) when (IsMalformed(ex))
        {
            audio.Complete(Malformed());
        }
        catch (IOException)
        {
            // The client reset its request stream (crash, cancel): the session ends as cancelled, not as a server error.
            audio.Complete(new RpcException(new Status(StatusCode.Cancelled, "the client reset the call")));
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The source was completed first (shutdown, a limit): the rest of the audio is not wanted, but reading on
            // lets the client's half-close arrive.
            await DiscardRest(requestStream, ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            audio.Complete(ex);
        }
    }

    private static async Task DiscardRest(IAsyncStreamReader<DiarizeRequest> requestStream, CancellationToken ct)
    {
        try
        {
            while (await requestStream.MoveNext(ct).ConfigureAwait(false))
            {
            }
        }
        catch (Exception)
        {
            // The call is over either way.
        }
    }

    private TimeSpan ShutdownDrain => TimeSpan.FromSeconds(Math.Min(2, _options.ShutdownGraceSeconds / 2));

    public override async Task Watch(WatchRequest request, IServerStreamWriter<DiarizeEvent> responseStream, ServerCallContext context)
    {
        string tenant = ApiKeyAuthentication.TenantOf(context.GetHttpContext());
        // Another tenant's session answers exactly as a missing one: its existence is not ours to reveal.
        var session = await locator.FindAsync(tenant, request.SessionId, context.CancellationToken).ConfigureAwait(false);
        if (session is null)
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"no live session {ClientText.Quote(request.SessionId)}: call ListSessions (streamdiarize watch lists them too) for the ids of running sessions"));
        }
        if (locator.WatchersOf(tenant) >= _options.MaxWatchersPerTenant)
        {
            metrics.Refusals.WithLabels("watcher_quota").Inc();
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"your tenant has its limit of {_options.MaxWatchersPerTenant} watchers open (Server:MaxWatchersPerTenant): close one, or ask the operator to raise the limit"));
        }
        var watcher = session.Subscribe(_options.WatcherBufferEvents, request.ReplayFinalSegments, () => metrics.WatcherEventsDropped.Inc())
            ?? throw new RpcException(new Status(StatusCode.NotFound,
                $"session {ClientText.Quote(request.SessionId)} has just ended: call ListSessions for the ids of running sessions"));
        var ct = context.CancellationToken;
        try
        {
            // This loop is the only writer of the watcher's response stream.
            await foreach (var e in watcher.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await ReportDropped(watcher, e.StreamTimeSeconds, responseStream, ct).ConfigureAwait(false);
                await responseStream.WriteAsync(e, ct).ConfigureAwait(false);
            }
            await ReportDropped(watcher, 0, responseStream, ct).ConfigureAwait(false);
        }
        finally
        {
            session.Unsubscribe(watcher);
        }
    }

    private static async Task ReportDropped(Watcher watcher, double streamTime, IServerStreamWriter<DiarizeEvent> stream, CancellationToken ct)
    {
        long dropped = watcher.TakeDropped();
        if (dropped > 0)
        {
            await stream.WriteAsync(new DiarizeEvent { StreamTimeSeconds = streamTime, EventsDropped = new EventsDropped { Count = dropped } }, ct).ConfigureAwait(false);
        }
    }

    public override Task<ListSessionsResponse> ListSessions(ListSessionsRequest request, ServerCallContext context)
    {
        var response = new ListSessionsResponse();
        foreach (var s in locator.List(ApiKeyAuthentication.TenantOf(context.GetHttpContext())))
        {
            response.Sessions.Add(new SessionInfo
            {
                Id = s.Id,
                StartTime = Timestamp.FromDateTimeOffset(s.StartTime),
                AudioSecondsReceived = s.AudioSeconds,
                SpeakersSoFar = s.Speakers,
                Source = s.Source,
                Watchers = s.Watchers,
                Replica = s.Replica,
            });
        }
        return Task.FromResult(response);
    }

    private static bool IsMalformed(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is Google.Protobuf.InvalidProtocolBufferException)
            {
                return true;
            }
        }
        return false;
    }

    private static RpcException Malformed() =>
        Invalid("a request is not a valid protobuf DiarizeRequest: check that the client uses protos/streamdiarize/v1/diarizer.proto");

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static string Describe(DiarizeRequest.PayloadOneofCase c) => c switch
    {
        DiarizeRequest.PayloadOneofCase.Audio => "audio",
        DiarizeRequest.PayloadOneofCase.Config => "config",
        _ => "an empty message",
    };
}
