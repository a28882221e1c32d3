// The streamdiarize.v1.Diarizer service: Diarize runs one session per call, Watch follows one, ListSessions lists them.
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Metrics;
using StreamDiarize.Server.Sessions;

namespace StreamDiarize.Server.Services;

public sealed class DiarizerService(
    ISessionComponentsFactory factory,
    SessionRegistry registry,
    SessionRunner runner,
    IOptions<ServerOptions> options,
    ServerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<DiarizerService> logger) : Diarizer.DiarizerBase
{
    private readonly ServerOptions _options = options.Value;

    public override async Task Diarize(IAsyncStreamReader<DiarizeRequest> requestStream, IServerStreamWriter<DiarizeEvent> responseStream, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        if (!await requestStream.MoveNext(ct).ConfigureAwait(false))
        {
            throw Invalid("the call carried no messages: send a SessionConfig (config) first, then audio chunks");
        }
        if (requestStream.Current.PayloadCase != DiarizeRequest.PayloadOneofCase.Config)
        {
            throw Invalid($"the first message must be a SessionConfig (config), not {Describe(requestStream.Current.PayloadCase)}: send config first, then audio chunks");
        }
        var plan = SessionConfigReader.Read(requestStream.Current.Config, _options.Session, (factory as IComponentChoices)?.Registry);

        SessionComponents components;
        try
        {
            components = factory.Create(plan.Options);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidOperationException or NotSupportedException
                                       or Onnx.OnnxModelException or Core.Options.OptionsValidationException)
        {
            throw Invalid($"cannot build the session with embedder '{plan.Options.Embedder}' and vad '{plan.Options.SpeechDetector}': {ex.Message}");
        }

        await using var audio = new GrpcAudioSource(plan.SessionId, plan.Format, _options.AudioBufferChunks, s => metrics.AudioSecondsProcessed.Inc(s));
        var session = runner.TryStart(plan, "grpc", audio, out var added);
        if (session is null)
        {
            // The pipeline that would have released it never runs (a VAD model's lease).
            (components.Diarizer as IDisposable)?.Dispose();
            throw added == AddResult.Full
                ? new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"the server is running its limit of {_options.MaxSessions} sessions (Server:MaxSessions): retry later, or raise the limit"))
                : new RpcException(new Status(StatusCode.AlreadyExists,
                    $"session_id '{plan.SessionId}' is already live: pick another id, or leave it empty for a generated one"));
        }

        string outcome = "completed";
        logger.LogInformation(
            "Session {SessionId} started: {Encoding} {SampleRateHz} Hz x{Channels}, exact {ExactSpeakers}, min {MinSpeakers}, max {MaxSpeakers} speakers, latency {LatencySeconds} s, embedder {Embedder}, vad {Vad}, peer {Peer}",
            plan.SessionId, plan.Format.Encoding, plan.Format.SampleRateHz, plan.Format.Channels, plan.Options.ExactSpeakers, plan.Options.MinSpeakers,
            plan.Options.MaxSpeakers, plan.Options.LatencySeconds, plan.Options.Embedder, plan.Options.SpeechDetector, context.Peer);
        var writer = new ResponseEventWriter(responseStream, metrics, ct);
        try
        {
            await writer.WriteAsync(session.Started, 0, ct).ConfigureAwait(false);

            // Shutdown ends the audio as if the client had half-closed: the pipeline flushes and SessionEnded goes out.
            using var stopping = lifetime.ApplicationStopping.Register(() => audio.Complete());
            var pump = PumpAsync(requestStream, audio, ct);
            await SessionRunner.RunPipelineAsync(session, components, plan.IncludeProvisional, writer, ct).ConfigureAwait(false);
            await writer.CompleteAsync().ConfigureAwait(false);
            if (!pump.IsCompleted)
            {
                // Ended by shutdown while the client still sends: give it a moment to see SessionEnded and half-close,
                // so the call ends with a clean END_STREAM on both sides rather than a reset of its request.
                await Task.WhenAny(pump, Task.Delay(ShutdownGrace, ct)).ConfigureAwait(false);
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
            throw;
        }
        finally
        {
            // The session leaves the registry the moment the call ends, whatever ended it.
            runner.Finish(session, outcome);
        }
    }

    /// <summary>Moves audio from the request stream into the session's source; every problem ends the source with that error.</summary>
    private async Task PumpAsync(IAsyncStreamReader<DiarizeRequest> requestStream, GrpcAudioSource audio, CancellationToken ct)
    {
        try
        {
            while (await requestStream.MoveNext(ct).ConfigureAwait(false))
            {
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
                if (audio.SecondsReceived > _options.MaxSessionSeconds)
                {
                    audio.Complete(new RpcException(new Status(StatusCode.ResourceExhausted,
                        $"session reached its limit of {_options.MaxSessionSeconds} s of audio (Server:MaxSessionSeconds): start a new session to go on, or raise the limit")));
                    return;
                }
            }
            audio.Complete();
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The source was completed first (shutdown): the rest of the audio is not wanted, but reading on
            // lets the client's half-close arrive.
            await DiscardRest(requestStream, ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            audio.Complete(ex);
        }
    }

    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(2);

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

    public override async Task Watch(WatchRequest request, IServerStreamWriter<DiarizeEvent> responseStream, ServerCallContext context)
    {
        if (!registry.TryGet(request.SessionId, out var session))
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"no live session '{request.SessionId}': call ListSessions (streamdiarize watch lists them too) for the ids of running sessions"));
        }
        var watcher = session.Subscribe(_options.WatcherBufferEvents, request.ReplayFinalSegments, () => metrics.WatcherEventsDropped.Inc())
            ?? throw new RpcException(new Status(StatusCode.NotFound,
                $"session '{request.SessionId}' has just ended: call ListSessions for the ids of running sessions"));
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
        foreach (var s in registry.Snapshot())
        {
            response.Sessions.Add(new SessionInfo
            {
                Id = s.Id,
                StartTime = Timestamp.FromDateTimeOffset(s.StartTime),
                AudioSecondsReceived = s.Audio.SecondsReceived,
                SpeakersSoFar = s.SpeakersSoFar,
                Source = s.Source,
                Watchers = s.WatcherCount,
            });
        }
        return Task.FromResult(response);
    }

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static string Describe(DiarizeRequest.PayloadOneofCase c) => c switch
    {
        DiarizeRequest.PayloadOneofCase.Audio => "audio",
        DiarizeRequest.PayloadOneofCase.Config => "config",
        _ => "an empty message",
    };
}
