// `streamdiarize synth`: writes a synthetic meeting (WAV + exact RTTM) for tests and long-run benchmarks.
using System.CommandLine;
using System.Diagnostics;
using StreamDiarize.Synth;
using StreamDiarize.Synth.Voices;

namespace StreamDiarize.Cli.Commands;

internal static class SynthCommand
{
    public static Command Create()
    {
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Folder for <id>.wav and <id>.rttm (created if missing).", Required = true };
        var speakers = new Option<int>("--speakers") { Description = "Number of speakers, 2 to 8; each is a different TTS voice.", DefaultValueFactory = _ => 4 };
        var minutes = new Option<double>("--minutes") { Description = "Length in minutes, 1 to 60 (down to 0.1 for quick checks).", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed gives the same meeting.", DefaultValueFactory = _ => 0 };
        var overlap = new Option<double>("--overlap") { Description = "Probability, 0 to 1, that the next speaker cuts in before the current one ends.", DefaultValueFactory = _ => 0 };
        var snr = new Option<double?>("--snr") { Description = "Add pink noise at this signal-to-noise ratio in dB (-10 to 60); no noise when left out." };
        var noise = new Option<NoiseKind>("--noise") { Description = "Noise colour when --snr is given: Pink or White.", DefaultValueFactory = _ => NoiseKind.Pink };
        var id = new Option<string?>("--id") { Description = "File id and name of the outputs; default synth-<N>spk-<M>min-seed<S>." };

        var command = new Command("synth", "Generate a synthetic meeting from TTS voices (espeak-ng, flite) with an exact RTTM.");
        var quiet = TurnOutput.QuietOption();
        foreach (var option in new Option[] { outDir, speakers, minutes, seed, overlap, snr, noise, id, quiet })
        {
            command.Options.Add(option);
        }
        command.SetAction((ParseResult pr, CancellationToken ct) => Task.Run(() =>
        {
            var options = new MeetingSynthOptions
            {
                Speakers = pr.GetValue(speakers),
                DurationSeconds = pr.GetValue(minutes) * 60,
                Seed = pr.GetValue(seed),
                OverlapProbability = pr.GetValue(overlap),
                SnrDb = pr.GetValue(snr),
                Noise = pr.GetValue(noise),
            };
            var name = pr.GetValue(id) ?? $"synth-{options.Speakers}spk-{pr.GetValue(minutes):0.##}min-seed{options.Seed}";
            try
            {
                var clock = Stopwatch.StartNew();
                var meeting = ProgressDisplay.Run($"synthesizing {name}", ProgressDisplay.Enabled(pr.GetValue(quiet)), () => new MeetingSynthesizer().Synthesize(options, name, ct));
                var (wav, rttm) = meeting.WriteTo(pr.GetValue(outDir)!.FullName);
                for (int k = 0; k < meeting.Speakers.Count; k++)
                {
                    Console.WriteLine($"{meeting.Speakers[k]}: {meeting.Voices[k]}");
                }
                Console.WriteLine($"{meeting.Segments.Count} turns, {meeting.Audio.DurationSeconds:F1} s, generated in {clock.Elapsed.TotalSeconds:F1} s");
                Console.WriteLine(wav);
                Console.WriteLine(rttm);
                return 0;
            }
            catch (Core.Options.OptionsValidationException ex)
            {
                Console.Error.WriteLine($"error: synth: {string.Join("; ", ex.Errors)}");
                return 2;
            }
            catch (Exception ex) when (ex is ArgumentException or TtsUnavailableException or InvalidOperationException or IOException)
            {
                Console.Error.WriteLine($"error: synth: {UserText.Of(ex)}");
                return 2;
            }
        }, ct));
        return command;
    }
}
