// `streamdiarize file AUDIO... --out DIR`: diarizes whole recordings offline and writes RTTM and JSON per file.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using StreamDiarize.Audio;
using StreamDiarize.Cli.Configuration;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Embedding;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speech;
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Onnx;
using StreamDiarize.Streaming;
using StreamDiarize.Streaming.Sinks.Formats;

namespace StreamDiarize.Cli.Commands;

internal static class FileCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("audio")
        {
            Description = "WAV files to diarize, or '-' for raw PCM on stdin (with --raw and --rate).",
            Arity = ArgumentArity.OneOrMore,
        };
        var outDir = new Option<string>("--out", "-o") { Description = "Folder for the turn files (<id>.rttm and <id>.json by default; see --format).", Required = true };
        var format = TurnOutput.FormatOption();
        var quiet = TurnOutput.QuietOption();
        var config = new Option<string?>("--config") { Description = "A JSON file with settings that override config/appsettings.json." };
        var method = new Option<string?>("--method") { Description = "Diarization method: default (speech detection + MFCC window statistics + clustering) or seed (the tutorial's frame-level spectral clustering)." };
        var numSpeakers = new Option<int?>("--num-speakers") { Description = "Exact number of speakers, when known." };
        var minSpeakers = new Option<int?>("--min-speakers") { Description = "At least this many speakers." };
        var maxSpeakers = new Option<int?>("--max-speakers") { Description = "At most this many speakers." };
        var features = new Option<string?>("--features") { Description = "Frame features of --method seed: logmel, mfcc or spectrogram." };
        features.AcceptOnlyFromAmong("logmel", "mfcc", "spectrogram");
        var set = new Option<string[]>("--set") { Description = "Override any setting: --set Seed:Clustering:PPercentile=0.9 (keys under Diarization).", AllowMultipleArgumentsPerToken = false };
        var raw = new Option<string?>("--raw") { Description = "Input is headerless PCM: s16le or f32le." };
        var rate = new Option<int>("--rate") { Description = "Sample rate of --raw input, Hz.", DefaultValueFactory = _ => 16000 };
        var channels = new Option<int>("--channels") { Description = "Channels of --raw input.", DefaultValueFactory = _ => 1 };
        var id = new Option<string?>("--id") { Description = "File id for stdin input (default: stdin)." };
        var streaming = new Option<bool>("--streaming") { Description = "Run the live (streaming) pipeline on each file, as fast as it can, instead of the offline one." };
        var latency = new Option<double>("--latency") { Description = "With --streaming: seconds after which a turn is final (0.25 to 10).", DefaultValueFactory = _ => 1.0 };
        var vadOption = new Option<string?>("--vad") { Description = "Speech detection of the default method, offline or --streaming: energy (default) or onnx:PATH (a Silero-style VAD model, docs/ONNX.md)." };
        var embedderOption = new Option<string>("--embedder")
        {
            Description = "Window embeddings of the default method: features (MFCC statistics) or onnx:PATH (a speaker model, docs/ONNX.md).",
            DefaultValueFactory = _ => "features",
        };
        var visualOptions = new FileVisualOptions();
        var profileOptions = new ProfileOptions();

        var command = new Command("file", "Diarize recordings offline and write their turns (RTTM and JSON, or --format).")
        {
            inputs, outDir, format, quiet, config, method, numSpeakers, minSpeakers, maxSpeakers, features, set, raw, rate, channels, id, streaming, latency, embedderOption, vadOption,
            profileOptions.Known, profileOptions.Data,
        };
        foreach (var option in visualOptions.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(pr =>
        {
            var stdout = pr.InvocationConfiguration.Output;
            var stderr = pr.InvocationConfiguration.Error;
            var overrides = new List<KeyValuePair<string, string?>>();
            void Put(string key, string? value) => overrides.Add(new($"{SettingsLoader.SectionName}:{key}", value));
            if (pr.GetValue(method) is { } m)
            {
                Put("Method", m);
            }
            if (pr.GetValue(features) is { } f)
            {
                if (pr.GetValue(method) is { } chosen && !chosen.Equals("seed", StringComparison.OrdinalIgnoreCase))
                {
                    stderr.WriteLine($"error: --features {f} applies to --method seed, not {chosen}: the default method's features are set under Default:Embedding:Features");
                    return 2;
                }
                Put("Method", nameof(DiarizationMethod.Seed));
                Put("Seed:Features:FeatureType", f switch { "logmel" => nameof(FeatureType.LogMelSpectrogram), "mfcc" => nameof(FeatureType.Mfcc), _ => nameof(FeatureType.Spectrogram) });
            }
            foreach (var kv in pr.GetValue(set) ?? [])
            {
                int eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    stderr.WriteLine($"error: --set {kv}: expected KEY=VALUE, e.g. --set Seed:MinSegmentSeconds=0.2");
                    return 2;
                }
                Put(kv[..eq], kv[(eq + 1)..]);
            }
            var hints = new SpeakerHints { ExactSpeakers = pr.GetValue(numSpeakers), MinSpeakers = pr.GetValue(minSpeakers), MaxSpeakers = pr.GetValue(maxSpeakers) };
            DiarizationSettings settings;
            FileVisualOutputs? visual;
            IReadOnlyList<TurnFormat> formats;
            OnnxSettings? onnxSettings = null;
            string embedderName = pr.GetValue(embedderOption)!;
            try
            {
                formats = TurnOutput.ParseFormats(pr.GetValue(format));
                if (embedderName != "features" && !embedderName.StartsWith(OnnxSessionFactory.Prefix, StringComparison.Ordinal))
                {
                    throw new OptionsValidationException([$"--embedder {embedderName} is invalid: use features or onnx:PATH (a speaker model in ONNX, docs/ONNX.md)"]);
                }
                if (embedderName != "features")
                {
                    onnxSettings = SettingsLoader.LoadOnnx(pr.GetValue(config), overrides);
                }
                var hintErrors = hints.GetValidationErrors(SessionOptions.MaxSpeakerLimit, FlagOf);
                if (hintErrors.Count > 0)
                {
                    throw new OptionsValidationException(hintErrors);
                }
                settings = SettingsLoader.Load(pr.GetValue(config), overrides);
                if (onnxSettings is not null && settings.Method != DiarizationMethod.Default)
                {
                    throw new OptionsValidationException([$"--embedder {embedderName} applies to the default method, not --method {settings.Method}"]);
                }
                visual = visualOptions.Bind(pr, pr.GetValue(inputs)!.Length, pr.GetValue(config), overrides);
            }
            catch (OptionsValidationException ex)
            {
                UserText.Report(ex, stderr);
                return 2;
            }

            RawPcmFormat? rawFormat = null;
            if (pr.GetValue(raw) is { } encoding)
            {
                try
                {
                    rawFormat = new RawPcmFormat(RawPcmFormat.ParseEncoding(encoding), pr.GetValue(rate), pr.GetValue(channels));
                }
                catch (ArgumentException ex)
                {
                    stderr.WriteLine($"error: --raw: {UserText.Of(ex)}");
                    return 2;
                }
            }

            // One factory for the command: a model is opened once, however many files use it, and closed at the end.
            using var factory = new OnnxSessionFactory(settings.Default, settings.Streaming, onnxSettings ?? new OnnxSettings());
            OnnxWindowEmbedder? model = null;
            if (onnxSettings is not null)
            {
                try
                {
                    model = factory.Model(embedderName[OnnxSessionFactory.Prefix.Length..]);
                }
                catch (OnnxModelException ex)
                {
                    stderr.WriteLine($"error: --embedder {embedderName}: {ex.Message}");
                    return 2;
                }
            }

            OnnxSpeechDetector? vad = null;
            string vadName = pr.GetValue(vadOption) ?? "energy";
            if (factory.Registry.SpeechDetectors.Problem(vadName) is not null || (vadName != "energy" && settings.Method != DiarizationMethod.Default))
            {
                stderr.WriteLine($"error: --vad {vadName}: use energy or onnx:PATH, with the default method (not --method seed)");
                return 2;
            }
            if (vadName != "energy")
            {
                try
                {
                    // Offline it decides the speech; live each session runs its own on the same model, which this keeps open.
                    vad = new OnnxSpeechDetector(vadName[OnnxSessionFactory.Prefix.Length..], new OnnxSpeechDetectorOptions { Mask = settings.Default.Speech });
                }
                catch (OnnxModelException ex)
                {
                    stderr.WriteLine($"error: --vad {vadName}: {ex.Message}");
                    return 2;
                }
            }
            using var vadLifetime = vad;

            var (known, knownError) = profileOptions.Select(pr, embedderName);
            if (knownError is not null || (known.Count > 0 && settings.Method != DiarizationMethod.Default))
            {
                stderr.WriteLine($"error: {knownError ?? "--known works with the default method, not --method seed"}");
                return 2;
            }
            // Enrolled voices also steer the offline clustering: two of them are never one speaker, parts of one are joined.
            var offlineHints = hints with { KnownVoices = ProfileOptions.Voices(known) };

            var dir = pr.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            int failures = 0;
            bool estimated = false;
            bool progress = ProgressDisplay.Enabled(pr.GetValue(quiet));
            foreach (var input in pr.GetValue(inputs)!)
            {
                try
                {
                    var clip = Load(input, rawFormat, pr.GetValue(id), w => stderr.WriteLine("warning: " + w));
                    var watch = Stopwatch.StartNew();
                    bool live = pr.GetValue(streaming);
                    var segments = ProgressDisplay.Run(
                        $"{clip.Id}: diarizing {TimeSpan.FromSeconds(clip.DurationSeconds):h\\:mm\\:ss} of audio{(live ? " through the live pipeline" : "")}", progress,
                        () => live
                            ? DiarizeStreaming(settings, clip, hints, pr.GetValue(latency), factory, embedderName, vadName, known, stdout)
                            : Diarize(settings, clip, offlineHints, model, vad));
                    if (known.Count > 0 && !live)
                    {
                        segments = ProfileOptions.Name(settings.Default, clip, segments, known, stdout);
                    }
                    watch.Stop();
                    string methodName = FileVisualOutputs.RunTitle(settings) + (live ? string.Create(CultureInfo.InvariantCulture, $" (live pipeline, latency {pr.GetValue(latency)} s)") : "");
                    var document = new TurnDocument(clip.Id, clip.DurationSeconds, methodName, TurnOutput.Version, segments, hints.ExactSpeakers is null);
                    var written = TurnOutput.Write(dir, document, formats);
                    int speakers = segments.Select(s => s.Speaker).Distinct().Count();
                    estimated |= document.SpeakerCountEstimated;
                    stdout.WriteLine($"{clip.Id}: {clip.DurationSeconds:F1} s, {speakers} speaker(s){(document.SpeakerCountEstimated ? " (estimated)" : "")}, {segments.Count} turn(s) in {watch.Elapsed.TotalSeconds:F2} s -> {written}");
                    if (vad is not null && !pr.GetValue(streaming))
                    {
                        stdout.WriteLine($"{clip.Id}: vad {pr.GetValue(vadOption)}: {vad.Chunks} chunk(s) decided so far");
                    }
                    if (model is not null)
                    {
                        // Says the model really ran, and how often (a batch of windows counts once).
                        stdout.WriteLine($"{clip.Id}: embedder {embedderName}: {model.Dimension}-dim embeddings, {model.Embedder.RunCount} model run(s) so far");
                    }
                    failures += visual?.Write(clip, segments, FileVisualOutputs.RunTitle(settings), s => Diarize(s, clip, offlineHints, model)) ?? 0;
                }
                catch (OptionsValidationException ex)
                {
                    stderr.WriteLine($"error: {input}: {string.Join("; ", ex.Errors)}");
                    return 2;
                }
                catch (AudioFormatException ex)
                {
                    stderr.WriteLine($"error: {ex.Message}");
                    failures++;
                }
                catch (ArgumentOutOfRangeException ex) when (ex.ParamName is not null)
                {
                    // Inputs past the clusterer's bound: its message says the limit and what to do.
                    stderr.WriteLine($"error: {input}: {UserText.Of(ex)}");
                    failures++;
                }
            }
            if (estimated && failures == 0)
            {
                TurnOutput.AdviseOnSpeakerCount(stderr);
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }

    private static AudioClip Load(string input, RawPcmFormat? raw, string? id, Action<string> warn)
    {
        if (input == "-")
        {
            if (raw is null)
            {
                throw new AudioFormatException("stdin", "reading stdin needs the PCM format: add --raw s16le|f32le --rate HZ [--channels N]");
            }
            using var stdin = Console.OpenStandardInput();
            return AudioLoader.LoadRaw(stdin, "stdin", id ?? "stdin", raw);
        }
        if (raw is not null)
        {
            using var file = File.Exists(input) ? File.OpenRead(input)
                : throw new AudioFormatException(input, Directory.Exists(input) ? "is a directory, not a file: give the files in it" : "no such file");
            return AudioLoader.LoadRaw(file, input, AudioLoader.FileIdOf(input), raw);
        }
        return AudioLoader.LoadWav(input, warn: warn);
    }

    /// <summary>The flag each speaker-count hint comes from, for SpeakerHints' messages.</summary>
    private static string FlagOf(string hint) => hint switch
    {
        nameof(SpeakerHints.ExactSpeakers) => "--num-speakers",
        nameof(SpeakerHints.MinSpeakers) => "--min-speakers",
        _ => "--max-speakers",
    };

    internal static List<SpeakerSegment> DiarizeStreaming(
        DiarizationSettings settings, AudioClip clip, SpeakerHints hints, double latencySeconds,
        ISessionComponentsFactory? factory = null, string embedder = "features", string speechDetector = "energy",
        IReadOnlyList<Core.Speakers.VoiceProfile>? known = null, TextWriter? report = null)
    {
        if (settings.Method != DiarizationMethod.Default)
        {
            throw new OptionsValidationException([$"--streaming runs the default method; --method {settings.Method} is offline only"]);
        }
        var session = new SessionOptions
        {
            ExactSpeakers = hints.ExactSpeakers,
            MinSpeakers = hints.MinSpeakers,
            MaxSpeakers = hints.MaxSpeakers ?? new SessionOptions().MaxSpeakers,
            LatencySeconds = latencySeconds,
            Embedder = embedder,
            SpeechDetector = speechDetector,
            KnownSpeakers = known ?? [],
            SourceSampleRateHz = clip.SourceSampleRateHz,
        };
        factory ??= new DefaultSessionFactory(settings.Default, settings.Streaming);
        var run = StreamingRunner.RunAsync(clip, factory, session).GetAwaiter().GetResult();
        if (session.KnownSpeakers.Count == 0)
        {
            return run.Segments;
        }
        foreach (var (speaker, name) in run.Events.Ledger.Names)
        {
            report?.WriteLine($"{clip.Id}: {speaker} is {name}");
        }
        return run.Events.Ledger.NamedSnapshot(includeProvisional: false);
    }

    internal static List<SpeakerSegment> Diarize(DiarizationSettings settings, AudioClip clip, SpeakerHints hints, IWindowEmbedder? windowEmbedder = null, ISpeechDetector? speech = null) => settings.Method switch
    {
        DiarizationMethod.Default => new DefaultDiarizer(settings.Default, speech, windowEmbedder).Diarize(clip, new SpeakerHints
        {
            ExactSpeakers = hints.ExactSpeakers,
            MinSpeakers = hints.MinSpeakers,
            MaxSpeakers = hints.MaxSpeakers,
            KnownVoices = hints.KnownVoices,
        }).Segments.ToList(),
        DiarizationMethod.Seed => new SeedDiarizer(settings.Seed).Diarize(clip, hints.ExactSpeakers, hints.MinSpeakers, hints.MaxSpeakers),
        _ => throw new InvalidOperationException($"method {settings.Method} is not wired"),
    };
}
