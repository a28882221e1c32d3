// `serve --mic`: the daemon captures a microphone itself and runs it as a live session that Watch and the live page follow.
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamDiarize.Audio.Capture;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Metrics;
using StreamDiarize.Server.Services;

namespace StreamDiarize.Server.Sessions;

/// <summary>
/// Opens Server:Microphone's device when the host starts and diarizes it through <see cref="SessionRunner"/>, as a
/// Diarize call would be, with source "mic". When the host stops, capture stops first, so the pipeline flushes and the
/// final segments and SessionEnded reach watchers before the session ends (and before Kestrel gives up on their calls). A microphone that cannot be opened is
/// logged and the daemon goes on serving gRPC: a meeting-room display should not lose its other sessions to a cable.
/// </summary>
public sealed class MicrophoneSessionService(
    ISessionComponentsFactory factory,
    Models.ModelCatalog models,
    SessionRunner runner,
    SessionLocator locator,
    IOptions<ServerOptions> options,
    ServerMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<MicrophoneSessionService> logger) : BackgroundService
{
    public const string Source = "mic";

    private readonly ServerOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Opening a device blocks; the host must finish starting (and serve gRPC) meanwhile.
        await Task.Yield();
        var mic = _options.Microphone;
        string device = string.IsNullOrWhiteSpace(mic.Device) ? "default" : mic.Device;
        CaptureAudioSource capture;
        try
        {
            var backend = CaptureBackends.Create(mic.Backend);
            capture = await CaptureAudioSource.OpenAsync(backend, new CaptureOptions { Device = string.IsNullOrWhiteSpace(mic.Device) ? null : mic.Device }, stoppingToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is CaptureException or ArgumentException or DllNotFoundException or InvalidOperationException)
        {
            logger.LogError(
                "Microphone session '{SessionId}' not started: cannot open capture device '{Device}' with back end {Backend}: {Reason}. " +
                "List the devices with `streamdiarize mic --list-devices` (and --backend) and pass one with --device, or start PulseAudio (pulseaudio --start). " +
                "The daemon goes on serving gRPC without it.",
                mic.SessionId, device, mic.Backend, ex.Message);
            return;
        }

        await using var audio = new CapturedSessionAudio(capture, s => metrics.AudioSecondsProcessed.Inc(s));
        var plan = SessionConfigReader.Read(new SessionConfig
        {
            SessionId = mic.SessionId,
            Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = audio.SampleRateHz, Channels = 1 },
        }, _options.Session, models, (factory as IComponentChoices)?.Registry, _options.Profiles.SessionHistorySeconds);
        SessionComponents components;
        try
        {
            components = factory.Create(plan.Options with { Hurry = lifetime.ApplicationStopping });
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidOperationException or NotSupportedException
                                       or Onnx.OnnxModelException or Core.Options.OptionsValidationException)
        {
            logger.LogError("Microphone session '{SessionId}' not started: cannot build the diarizer with embedder '{Embedder}': {Reason}",
                mic.SessionId, plan.Options.Embedder, ex.Message);
            return;
        }
        var session = runner.TryStart(plan, Source, audio, mic.Tenant ?? "", components.Voices, out var added);
        if (session is null)
        {
            (components.Diarizer as IDisposable)?.Dispose();
            logger.LogError("Microphone session '{SessionId}' not started: {Why}", mic.SessionId,
                added == AddResult.Full ? "the server is at Server:MaxSessions" : "a session with that id is already live; set Server:Microphone:SessionId (--mic-session)");
            return;
        }

        if (!await locator.AnnounceAsync(session, stoppingToken).ConfigureAwait(false))
        {
            runner.Withdraw(session);
            (components.Diarizer as IDisposable)?.Dispose();
            logger.LogError("Microphone session '{SessionId}' not started: another replica runs a session with that id; give each replica its own Server:Microphone:SessionId (--mic-session)", mic.SessionId);
            return;
        }

        logger.LogInformation("Session {SessionId} started: microphone {Capture} at {SampleRateHz} Hz, embedder {Embedder}; watch it with `streamdiarize watch {SessionId}`",
            session.Id, audio.Name, audio.SampleRateHz, plan.Options.Embedder, session.Id);
        string outcome = "completed";
        // Stopping ends capture, not the pipeline: what is buffered is diarized and the last turns are published.
        // ApplicationStopping comes first: Kestrel stops before hosted services and waits for open Watch calls,
        // which end only when this session does.
        using var stopping = lifetime.ApplicationStopping.Register(audio.Stop);
        using var stopped = stoppingToken.Register(audio.Stop);
        try
        {
            await SessionRunner.RunPipelineAsync(session, components, plan.IncludeProvisional, client: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = "error";
            logger.LogError(ex, "Microphone session '{SessionId}' failed: {Reason}", session.Id, ex.Message);
        }
        finally
        {
            runner.Finish(session, outcome);
        }
    }
}
