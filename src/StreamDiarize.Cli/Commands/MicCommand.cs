// `streamdiarize mic`: live diarization from a microphone (or raw PCM on stdin) into the streaming pipeline and the terminal.
using System.CommandLine;
using System.Runtime.InteropServices;
using StreamDiarize.Audio;
using StreamDiarize.Audio.Capture;
using StreamDiarize.Cli.Live;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Streaming;
using StreamDiarize.Streaming.Sinks;

namespace StreamDiarize.Cli.Commands;

internal static class MicCommand
{
    public static Command Create()
    {
        var device = new Option<string?>("--device", "-d") { Description = "Capture device (see --list-devices); default: the system's default input." };
        var listDevices = new Option<bool>("--list-devices") { Description = "List the capture devices of the back end and exit." };
        var backend = new Option<string>("--backend") { Description = "auto (Windows: winmm; Linux: pulse if a server answers, else alsa), pulse, alsa, stdin, winmm.", DefaultValueFactory = _ => CaptureBackends.Auto };
        backend.AcceptOnlyFromAmong([.. CaptureBackends.Names]);
        var input = new Option<string?>("--input", "-i") { Description = "'-' reads raw PCM from stdin (with --raw, --rate, --channels) instead of a device." };
        var raw = new Option<string>("--raw") { Description = "Encoding of stdin PCM: s16le or f32le.", DefaultValueFactory = _ => "s16le" };
        var rate = new Option<int>("--rate") { Description = "Sample rate of stdin PCM, Hz.", DefaultValueFactory = _ => 16000 };
        var channels = new Option<int>("--channels") { Description = "Channels of stdin PCM (mixed down to mono).", DefaultValueFactory = _ => 1 };
        var outDir = new Option<string?>("--out", "-o") { Description = "Folder for the turn files (<id>.rttm and <id>.json by default; see --format), written when the session ends." };
        var format = TurnOutput.FormatOption();
        var seconds = new Option<double?>("--seconds") { Description = "Stop after this many seconds of audio (default: run until Ctrl-C)." };
        var id = new Option<string?>("--id") { Description = "File id in RTTM/JSON (default: mic-<UTC time>)." };
        var latency = new Option<double>("--latency") { Description = "Seconds before a turn becomes final.", DefaultValueFactory = _ => 1.0 };
        var numSpeakers = new Option<int?>("--num-speakers") { Description = "Exact number of speakers, when known." };
        var saveAudio = new Option<string?>("--save-audio") { Description = "Also write the captured audio to this WAV file (16 kHz float), to listen to or re-score later." };
        var maxSpeakers = new Option<int>("--max-speakers") { Description = "At most this many speakers.", DefaultValueFactory = _ => 20 };
        var profileOptions = new ProfileOptions();

        var command = new Command("mic", "Diarize live audio from a microphone (or stdin) and show who speaks.")
        {
            device, listDevices, backend, input, raw, rate, channels, outDir, format, seconds, id, latency, numSpeakers, maxSpeakers, saveAudio,
            profileOptions.Known, profileOptions.Data,
        };
        command.SetAction((pr, ct) =>
        {
            var (known, knownError) = profileOptions.Select(pr, "features");
            if (knownError is not null)
            {
                Console.Error.WriteLine("error: " + knownError);
                return Task.FromResult(2);
            }
            return RunAsync(new MicArguments(
            pr.GetValue(device), pr.GetValue(listDevices), pr.GetValue(backend)!, pr.GetValue(input), pr.GetValue(raw)!, pr.GetValue(rate),
            pr.GetValue(channels), pr.GetValue(outDir), pr.GetValue(seconds), pr.GetValue(id),
            new SessionOptions { LatencySeconds = pr.GetValue(latency), ExactSpeakers = pr.GetValue(numSpeakers), MaxSpeakers = pr.GetValue(maxSpeakers), KnownSpeakers = known },
            pr.GetValue(saveAudio), pr.GetValue(format)),
            Console.Out, Console.Error, ct);
        });
        return command;
    }

    internal sealed record MicArguments(string? Device, bool ListDevices, string Backend, string? Input, string Raw, int Rate, int Channels,
        string? OutDir, double? Seconds, string? Id, SessionOptions Session, string? SaveAudio = null, string? Formats = null);

    internal static async Task<int> RunAsync(MicArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ICaptureBackend captureBackend;
        try
        {
            captureBackend = CreateBackend(a);
            if (a.ListDevices)
            {
                foreach (var d in captureBackend.ListDevices())
                {
                    stdout.WriteLine($"{(d.IsDefault ? "*" : " ")} {d.Name}\t{d.Description}");
                }
                return 0;
            }
        }
        catch (CaptureException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (ArgumentException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 2;
        }

        var errors = a.Session.GetValidationErrors().ToList();
        IReadOnlyList<Streaming.Sinks.Formats.TurnFormat> formats = [];
        try
        {
            formats = TurnOutput.ParseFormats(a.Formats);
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Errors);
        }
        var captureOptions = new CaptureOptions { Device = a.Device, MaxSeconds = a.Seconds };
        errors.AddRange(captureOptions.GetValidationErrors());
        if (errors.Count > 0)
        {
            stderr.WriteLine("error: " + string.Join("; ", errors));
            return 2;
        }

        // The live default diarizer, configured like `file` and `serve`.
        var components = SessionFactories.Default.Create(a.Session);
        var fileId = a.Id ?? "mic-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var view = new LiveTerminalView(stdout, ansi: ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null);
        var ledger = new LedgerSink();
        var pipeline = new DiarizationPipeline(components.Analyzer, components.Diarizer, [view, ledger]);

        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CaptureAudioSource source;
        try
        {
            source = await CaptureAudioSource.OpenAsync(captureBackend, captureOptions, hardStop.Token).ConfigureAwait(false);
        }
        catch (CaptureException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
        await using (source.ConfigureAwait(false))
        {
            int interrupts = 0;
            // First Ctrl-C (or SIGTERM, as from `docker stop`) ends capture so the pipeline flushes its final turns;
            // a second one abandons the session.
            void OnSignal(PosixSignalContext context)
            {
                context.Cancel = true;
                if (Interlocked.Increment(ref interrupts) == 1)
                {
                    stderr.WriteLine("\nstopping: finishing the last turns (Ctrl-C again to quit at once)");
                    source.Stop();
                }
                else
                {
                    hardStop.Cancel();
                }
            }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            stderr.WriteLine($"listening on {source.Name} at {source.SampleRateHz} Hz; Ctrl-C to stop");
            try
            {
                if (a.SaveAudio is { } wav)
                {
                    await using var recording = new RecordingAudioSource(source, wav);
                    await pipeline.RunAsync(recording, hardStop.Token).ConfigureAwait(false);
                }
                else
                {
                    await pipeline.RunAsync(source, hardStop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                stderr.WriteLine("interrupted: nothing written");
                return 130;
            }
            catch (CaptureException ex)
            {
                // The audio server went away mid-meeting: the turns already final are still the meeting's; keep them.
                WriteTurns();
                stderr.WriteLine($"error: {ex.Message}");
                return 1;
            }
            catch (OptionsValidationException ex)
            {
                stderr.WriteLine($"error: {ex.Message}");
                return 2;
            }
            WriteTurns();
            return 0;

            void WriteTurns()
            {
                double captured = (double)source.DeliveredSamples / source.SampleRateHz;
                stderr.WriteLine($"{captured:F1} s of audio from {source.Name}; {source.OverflowSamples} sample(s) dropped in {source.OverflowEvents} overflow(s)");
                if (a.OutDir is { } dir)
                {
                    var segments = ledger.Ledger.NamedSnapshot(includeProvisional: false);
                    var document = new Streaming.Sinks.Formats.TurnDocument(fileId, captured, $"default (live pipeline, latency {a.Session.LatencySeconds} s)",
                        TurnOutput.Version, segments, a.Session.ExactSpeakers is null);
                    stderr.WriteLine($"{segments.Count} turn(s) -> {TurnOutput.Write(dir, document, formats)}");
                }
            }
        }
    }

    private static ICaptureBackend CreateBackend(MicArguments a)
    {
        if (a.Input is not null && a.Input != "-")
        {
            throw new ArgumentException($"--input {a.Input}: only '-' (stdin) is supported; for files use `streamdiarize file`");
        }
        bool stdin = a.Input == "-" || a.Backend == RawStreamCaptureBackend.BackendName;
        if (!stdin)
        {
            return CaptureBackends.Create(a.Backend);
        }
        var format = new RawPcmFormat(RawPcmFormat.ParseEncoding(a.Raw), a.Rate, a.Channels);
        var problems = format.GetValidationErrors();
        if (problems.Count > 0)
        {
            throw new ArgumentException("stdin: " + string.Join("; ", problems));
        }
        return new RawStreamCaptureBackend(Console.OpenStandardInput(), format);
    }
}
