// `streamdiarize stream AUDIO --server URL`: sends a WAV to the daemon as a live stream, prints events and writes the final RTTM.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using StreamDiarize.Audio;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Streaming.Sinks;

namespace StreamDiarize.Cli.Commands;

internal static class StreamCommand
{
    public const string DefaultServer = "http://127.0.0.1:50051";

    public static Command Create()
    {
        var audio = new Argument<string>("audio") { Description = "A WAV file (any rate and channels; sent as 16 kHz mono PCM_F32LE)." };
        var server = new Option<string>("--server") { Description = "The daemon's gRPC address.", DefaultValueFactory = _ => DefaultServer };
        var realtime = new Option<bool>("--realtime") { Description = "Send audio at the pace it plays (the same as --speed 1)." };
        var speed = new Option<double?>("--speed") { Description = "Send at this many times real time (default: as fast as the server takes it)." };
        var outDir = new Option<string?>("--out", "-o") { Description = "Write the final turns into this folder (<file-id>.rttm and .json by default; see --format)." };
        var format = TurnOutput.FormatOption();
        var rawEvents = new Option<bool>("--raw-events") { Description = "Print every event as it arrives (speaker changes, pieces, relabels), in words, instead of merged turns." };
        var numSpeakers = new Option<int?>("--num-speakers") { Description = "Exact number of speakers, when known." };
        var minSpeakers = new Option<int?>("--min-speakers") { Description = "At least this many speakers." };
        var maxSpeakers = new Option<int?>("--max-speakers") { Description = "At most this many speakers." };
        var latency = new Option<double?>("--latency") { Description = "Seconds behind the newest audio at which a segment becomes final (0.25 to 10)." };
        var embedder = new Option<string?>("--embedder") { Description = "features, or the name of a model the server declares (Server:Models); the server refuses paths." };
        var sessionId = new Option<string?>("--session-id") { Description = "Name the session (watchers use it); default: the server picks one." };
        var chunkMs = new Option<int>("--chunk-ms") { Description = "Audio per message, milliseconds.", DefaultValueFactory = _ => 100 };
        var provisional = new Option<bool>("--provisional") { Description = "Also receive provisional segments (printed with --raw-events)." };
        var known = new Option<string?>("--known") { Description = "Name speakers that match profiles enrolled in the daemon: all, or NAME,NAME (the final RTTM carries the names)." };
        var apiKey = DaemonClient.ApiKeyOption();
        var command = new Command("stream", "Stream a WAV to a running `streamdiarize serve` and print speaker events as they arrive.")
        {
            audio, server, realtime, speed, outDir, format, rawEvents, numSpeakers, minSpeakers, maxSpeakers, latency, embedder, sessionId, chunkMs, provisional, apiKey, known,
        };
        command.SetAction(async (pr, ct) =>
        {
            var output = pr.InvocationConfiguration.Output;
            var error = pr.InvocationConfiguration.Error;
            double pace = pr.GetValue(realtime) ? 1 : pr.GetValue(speed) ?? 0;
            if (pace < 0 || double.IsNaN(pace) || pr.GetValue(chunkMs) is < 10 or > 5000)
            {
                error.WriteLine("error: --speed must be positive and --chunk-ms 10 to 5000");
                return 2;
            }
            var config = new SessionConfig
            {
                Format = new AudioFormat { Encoding = AudioEncoding.PcmF32Le, SampleRateHz = AudioLoader.DefaultSampleRateHz, Channels = 1 },
            };
            if (pr.GetValue(numSpeakers) is { } n) config.ExactSpeakers = n;
            if (pr.GetValue(minSpeakers) is { } lo) config.MinSpeakers = lo;
            if (pr.GetValue(maxSpeakers) is { } hi) config.MaxSpeakers = hi;
            if (pr.GetValue(latency) is { } l) config.LatencySeconds = l;
            if (pr.GetValue(embedder) is { } e) config.Embedder = e;
            if (pr.GetValue(sessionId) is { } id) config.SessionId = id;
            if (pr.GetValue(provisional)) config.IncludeProvisional = true;
            config.KnownSpeakers.AddRange(Profiles.KnownSpeakers.Parse(pr.GetValue(known)));

            Core.Audio.AudioClip clip;
            IReadOnlyList<Streaming.Sinks.Formats.TurnFormat> formats;
            try
            {
                formats = TurnOutput.ParseFormats(pr.GetValue(format));
                // A narrowband recording goes at its own rate, so the daemon knows its band (the features leave out
                // what lies above it) and resamples it itself; anything else goes at 16 kHz.
                clip = AudioLoader.LoadWav(pr.GetValue(audio)!,
                    native => native is >= 8000 and < AudioLoader.DefaultSampleRateHz ? native : AudioLoader.DefaultSampleRateHz);
                config.Format.SampleRateHz = clip.SampleRateHz;
            }
            catch (Core.Options.OptionsValidationException ex)
            {
                UserText.Report(ex, error);
                return 2;
            }
            catch (AudioFormatException ex)
            {
                error.WriteLine($"error: {ex.Message}");
                return 2;
            }
            string url = pr.GetValue(server)!;
            try
            {
                using var channel = GrpcChannel.ForAddress(url);
                var result = await RunAsync(DaemonClient.Create(channel, pr.GetValue(apiKey)), clip, config, pace, pr.GetValue(chunkMs), output, ct, pr.GetValue(rawEvents)).ConfigureAwait(false);
                if (pr.GetValue(outDir) is { } dir)
                {
                    var document = new Streaming.Sinks.Formats.TurnDocument(clip.Id, clip.DurationSeconds, $"daemon {url} (live pipeline)", TurnOutput.Version,
                        result.Ledger.NamedSnapshot(includeProvisional: false), !config.HasExactSpeakers);
                    var written = TurnOutput.Write(dir, document, formats);
                    output.WriteLine($"session {result.SessionId}: final turns{(result.EndedBy is null ? "" : " received before the call failed")} -> {written}");
                }
                if (!config.HasExactSpeakers && result.EndedBy is null)
                {
                    TurnOutput.AdviseOnSpeakerCount(error);
                }
                // A server limit ends the session with its final turns (written above), then an error status.
                return result.EndedBy is { } limit ? GrpcClientErrors.Report(limit, url, error) : 0;
            }
            catch (RpcException ex)
            {
                return GrpcClientErrors.Report(ex, url, error);
            }
            catch (UriFormatException)
            {
                error.WriteLine($"error: --server {url} is not a URL: use e.g. {DefaultServer}");
                return 2;
            }
        });
        return command;
    }

    public sealed record StreamResult(string SessionId, SegmentLedger Ledger, RpcException? EndedBy = null);

    /// <summary>Sends <paramref name="clip"/> (16 kHz mono) paced at <paramref name="speed"/> x real time (0: unpaced) and prints each event.</summary>
    public static async Task<StreamResult> RunAsync(Diarizer.DiarizerClient client, Core.Audio.AudioClip clip, SessionConfig config, double speed, int chunkMs, TextWriter output, CancellationToken ct, bool rawEvents = false)
    {
        var text = new EventText(output, rawEvents);
        using var call = client.Diarize(cancellationToken: ct);
        // Audio goes out only once the server has accepted the session: a refused call (at capacity, a quota, a bad
        // config) ends at once, and audio sent into it would make Kestrel close the whole HTTP/2 connection.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // SessionEnded while audio is still going out (a shutdown, a limit): stop sending and half-close, so the call
        // ends cleanly on both sides (docs/GRPC.md).
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sending = SendAsync(call.RequestStream, clip, config, speed, chunkMs, started.Task, ended.Task, ct);
        var ledger = new SegmentLedger();
        string sessionId = "";
        RpcException? endedBy = null;
        try
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
            {
                text.Show(e);
                if (e.EventCase == DiarizeEvent.EventOneofCase.SessionStarted)
                {
                    sessionId = e.SessionStarted.SessionId;
                    started.TrySetResult();
                }
                if (e.EventCase == DiarizeEvent.EventOneofCase.SessionEnded)
                {
                    ended.TrySetResult();
                }
                if (EventMapping.ToCore(e) is { } core)
                {
                    ledger.Apply(core);
                }
            }
        }
        catch (RpcException ex) when (sessionId.Length > 0)
        {
            // After SessionEnded (a server limit) the turns are whole; before it (the server died, the network went)
            // the final turns received so far are still worth keeping: the caller writes them, then reports the error.
            endedBy = ex;
        }
        finally
        {
            started.TrySetCanceled(CancellationToken.None);
            text.Flush();
            try
            {
                await sending.ConfigureAwait(false);
            }
            catch (Exception) when (ct.IsCancellationRequested || sending.IsFaulted)
            {
                // The response's status says what went wrong; a failed send only echoes it.
            }
        }
        return new StreamResult(sessionId, ledger, endedBy);
    }

    private static async Task SendAsync(IClientStreamWriter<DiarizeRequest> requests, Core.Audio.AudioClip clip, SessionConfig config, double speed, int chunkMs,
        Task started, Task ended, CancellationToken ct)
    {
        await requests.WriteAsync(new DiarizeRequest { Config = config }, ct).ConfigureAwait(false);
        try
        {
            await started.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (started.IsCanceled)
        {
            return; // the call ended before SessionStarted: its status says why
        }
        int chunk = clip.SampleRateHz * chunkMs / 1000;
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < clip.Samples.Length && !ended.IsCompleted; start += chunk)
        {
            int count = Math.Min(chunk, clip.Samples.Length - start);
            if (speed > 0)
            {
                var due = TimeSpan.FromSeconds(start / (double)clip.SampleRateHz / speed);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, ct).ConfigureAwait(false);
                }
            }
            var bytes = new byte[count * sizeof(float)];
            Buffer.BlockCopy(clip.Samples, start * sizeof(float), bytes, 0, bytes.Length);
            await requests.WriteAsync(new DiarizeRequest { Audio = new AudioChunk { Data = UnsafeByteOperations.UnsafeWrap(bytes) } }, ct).ConfigureAwait(false);
        }
        await requests.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>One line per event, in the console sink's format, with the wire-only events named.</summary>
    public static string FormatLine(DiarizeEvent e) => e.EventCase switch
    {
        DiarizeEvent.EventOneofCase.SessionStarted => $"    0.00  started  session {e.SessionStarted.SessionId}",
        DiarizeEvent.EventOneofCase.SessionEnded when e.SessionEnded.Detail.Length > 0 || e.SessionEnded.NonFiniteSamples > 0 =>
            ConsoleEventSink.Format(EventMapping.ToCore(e)!) + (e.SessionEnded.Detail.Length > 0 ? " (" + e.SessionEnded.Detail + ")" : "")
            + (e.SessionEnded.NonFiniteSamples > 0 ? $"; {e.SessionEnded.NonFiniteSamples} sample(s) that were not audio (NaN, infinite or beyond ±1,000,000) replaced by silence" : ""),
        DiarizeEvent.EventOneofCase.EventsDropped => string.Format(CultureInfo.InvariantCulture, "{0,8:F2}  dropped  {1} event(s): this watcher read too slowly", e.StreamTimeSeconds, e.EventsDropped.Count),
        _ => EventMapping.ToCore(e) is { } core ? ConsoleEventSink.Format(core)! : e.ToString(),
    };
}
