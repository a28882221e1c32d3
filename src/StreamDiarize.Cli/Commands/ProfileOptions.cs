// The options every profile-using verb shares: where the store is (--data) and which profiles name speakers (--known).
using System.CommandLine;
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speakers;
using StreamDiarize.Profiles;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Cli.Commands;

internal sealed class ProfileOptions
{
    public Option<string?> Data { get; } = new("--data")
    {
        Description = $"Folder of the voice-profile store (profiles.db), created on first use; default {SqliteProfileStore.DefaultDataDirectory}.",
    };

    public Option<string?> Known { get; } = new("--known")
    {
        Description = "Name the speakers that match these enrolled profiles: all, or NAME,NAME (streamdiarize enroll). Others stay S0, S1, ...",
    };

    public string DataDirectory(ParseResult pr) => pr.GetValue(Data) ?? SqliteProfileStore.DefaultDataDirectory;

    /// <summary>The chosen profiles, or an error message; none when --known is absent.</summary>
    public (IReadOnlyList<VoiceProfile> Profiles, string? Error) Select(ParseResult pr, string embedder)
    {
        var selection = KnownSpeakers.Parse(pr.GetValue(Known));
        if (selection.Count == 0)
        {
            return ([], null);
        }
        if (embedder != "features")
        {
            return ([], $"--known names speakers of the features embedder only in this version; --embedder {embedder} has no profile kind yet");
        }
        try
        {
            var profiles = KnownSpeakers.Select(SqliteProfileStore.Open(DataDirectory(pr)), selection, FeatureVoiceModeller.KindName);
            return (profiles, null);
        }
        catch (Exception e) when (e is EnrollmentException or ProfileStoreException)
        {
            return ([], "--known: " + e.Message);
        }
    }

    /// <summary>
    /// The Gaussians of built-in (<c>features/v1</c>) profiles, for the segment clustering to keep the enrolled voices
    /// apart and to join the parts of each (<see cref="SpeakerHints.KnownVoices"/>); other kinds are left out.
    /// </summary>
    public static IReadOnlyList<GaussianStats> Voices(IReadOnlyList<VoiceProfile> profiles) =>
        profiles.Where(p => p.Kind == FeatureVoiceModeller.KindName).Select(p => p.Model).OfType<GaussianVoiceModel>().Select(m => m.Stats).ToList();

    /// <summary>The turns with recognised speakers named, and one line per found speaker for the console.</summary>
    public static List<SpeakerSegment> Name(DefaultDiarizerOptions options, AudioClip clip, List<SpeakerSegment> turns, IReadOnlyList<VoiceProfile> profiles,
        TextWriter report)
    {
        var namer = new SpeakerNamer(new FeatureVoiceModeller(options));
        var result = new DiarizationResult(clip.Id, turns, turns.Select(t => t.Speaker).Distinct().Count(), clip.DurationSeconds);
        var named = namer.Name(clip, result, profiles);
        foreach (var m in named.Speakers)
        {
            string nearest = m.Nearest is null ? "" : $" (nearest profile {m.Nearest} at {m.Distance:F3}; names at <= {namer.Options.FeaturesThreshold:F2})";
            report.WriteLine(m.Name is null
                ? $"{clip.Id}: {m.Speaker} stays anonymous, {m.SpeechSeconds:F1} s of speech{nearest}"
                : $"{clip.Id}: {m.Speaker} is {m.Name} ({m.SpeechSeconds:F1} s of speech, distance {m.Distance:F3})");
        }
        return named.Result.Segments.ToList();
    }
}

/// <summary>`streamdiarize enroll NAME CLIP...`, `--list`, `--remove NAME`.</summary>
internal static class EnrollCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "The person's name, as it will appear on turns (letters, digits, - _ .; at most 64).", Arity = ArgumentArity.ZeroOrOne };
        var clips = new Argument<string[]>("clips") { Description = "WAV clips of that person speaking (a few seconds to a minute in all).", Arity = ArgumentArity.ZeroOrMore };
        var list = new Option<bool>("--list") { Description = "List the enrolled profiles." };
        var remove = new Option<string?>("--remove") { Description = "Delete the profile NAME." };
        var replace = new Option<bool>("--replace") { Description = "Start the profile anew from these clips instead of adding them to it." };
        var turns = new Option<string?>("--turns") { Description = "Enroll from one speaker's turns in the recording: an RTTM of it (e.g. from `file`), with --speaker." };
        var speaker = new Option<string?>("--speaker") { Description = "With --turns: the speaker id (or name) in the RTTM whose turns are this person; with --session: the session's speaker id (S2)." };
        var from = new Option<double>("--from") { Description = "With --turns or --session: only turns from this second on.", DefaultValueFactory = _ => 0 };
        var to = new Option<double>("--to") { Description = "With --turns or --session: only turns up to this second.", DefaultValueFactory = _ => double.PositiveInfinity };
        var session = new Option<string?>("--session") { Description = "Enroll from a live session of the daemon at --server: its --speaker's final turns from --from to --to (the daemon's store)." };
        var server = new Option<string>("--server") { Description = "With --session: the daemon's gRPC address.", DefaultValueFactory = _ => StreamCommand.DefaultServer };
        var apiKey = DaemonClient.ApiKeyOption();
        var profileOptions = new ProfileOptions();
        var command = new Command("enroll", "Enroll a known speaker from clips of their voice, list or remove profiles.")
        {
            name, clips, list, remove, replace, turns, speaker, from, to, session, server, apiKey, profileOptions.Data,
        };
        command.SetAction(pr =>
        {
            var stdout = pr.InvocationConfiguration.Output;
            var stderr = pr.InvocationConfiguration.Error;
            if (pr.GetValue(session) is { } live)
            {
                if (pr.GetValue(name) is not { } person || pr.GetValue(speaker) is not { } id || !double.IsFinite(pr.GetValue(to)))
                {
                    stderr.WriteLine("usage: streamdiarize enroll NAME --session ID --speaker S2 --from S --to S [--server URL]");
                    return 2;
                }
                return FromSession(pr.GetValue(server)!, pr.GetValue(apiKey), new EnrollFromSessionRequest
                {
                    Name = person, SessionId = live, Speaker = id, StartSeconds = pr.GetValue(from), EndSeconds = pr.GetValue(to), Replace = pr.GetValue(replace),
                }, stdout, stderr);
            }
            SqliteProfileStore store;
            try
            {
                store = SqliteProfileStore.Open(profileOptions.DataDirectory(pr));
                if (pr.GetValue(list))
                {
                    var profiles = store.List();
                    stdout.WriteLine(profiles.Count == 0 ? $"no profiles in {store.Location}" : $"{profiles.Count} profile(s) in {store.Location}:");
                    foreach (var p in profiles)
                    {
                        stdout.WriteLine($"  {p.Name,-20} {p.Kind,-12} {p.SpeechSeconds,6:F1} s of speech from {p.Clips} clip(s), updated {p.UpdatedUtc:yyyy-MM-dd HH:mm} UTC");
                    }
                    return 0;
                }
                if (pr.GetValue(remove) is { } gone)
                {
                    if (!store.Remove(gone))
                    {
                        stderr.WriteLine($"error: no profile named '{gone}' in {store.Location} (streamdiarize enroll --list shows them)");
                        return 1;
                    }
                    stdout.WriteLine($"removed {gone} from {store.Location}");
                    return 0;
                }
            }
            catch (ProfileStoreException e)
            {
                stderr.WriteLine("error: " + e.Message);
                return 1;
            }
            var who = pr.GetValue(name);
            var files = pr.GetValue(clips) ?? [];
            if (who is null || files.Length == 0)
            {
                stderr.WriteLine("usage: streamdiarize enroll NAME CLIP.wav... (or --list, or --remove NAME)");
                return 2;
            }
            if (ProfileNames.Problem(who) is { } problem)
            {
                stderr.WriteLine($"error: {problem} (nothing was enrolled)");
                return 1;
            }
            try
            {
                var audio = files.Select(f => AudioLoader.LoadWav(f, warn: w => stderr.WriteLine("warning: " + w))).ToList();
                var enrollment = new ProfileEnrollment(store, new FeatureVoiceModeller());
                VoiceProfile profile;
                if (pr.GetValue(turns) is { } rttm)
                {
                    if (audio.Count != 1 || pr.GetValue(speaker) is not { } id)
                    {
                        stderr.WriteLine("usage: streamdiarize enroll NAME RECORDING.wav --turns RECORDING.rttm --speaker ID [--from S] [--to S]");
                        return 2;
                    }
                    var all = Rttm.ReadFile(rttm);
                    var mine = all.GetValueOrDefault(audio[0].Id) ?? (all.Count == 1 ? all.Values.First() : null)
                        ?? throw new EnrollmentException($"'{rttm}' has no turns of file id '{audio[0].Id}' (it has {string.Join(", ", all.Keys)})");
                    var chosen = mine.Where(t => t.Speaker == id && t.EndSeconds > pr.GetValue(from) && t.StartSeconds < pr.GetValue(to))
                        .Select(t => t with { StartSeconds = Math.Max(t.StartSeconds, pr.GetValue(from)), EndSeconds = Math.Min(t.EndSeconds, pr.GetValue(to)) }).ToList();
                    if (chosen.Count == 0)
                    {
                        throw new EnrollmentException($"'{rttm}' has no turns of speaker '{id}' in that time range (its speakers: {string.Join(", ", mine.Select(t => t.Speaker).Distinct())})");
                    }
                    profile = enrollment.EnrollTurns(who, audio[0], chosen, pr.GetValue(replace));
                }
                else
                {
                    profile = enrollment.Enroll(who, audio, pr.GetValue(replace));
                }
                stdout.WriteLine($"enrolled {profile.Name}: {profile.SpeechSeconds:F1} s of speech from {profile.Clips} clip(s) ({profile.Kind}) in {store.Location}");
                return 0;
            }
            catch (RttmFormatException e)
            {
                stderr.WriteLine($"error: {e.Message} (nothing was enrolled)");
                return 1;
            }
            catch (AudioFormatException e)
            {
                stderr.WriteLine($"error: {e.Message} (nothing was enrolled)");
                return 1;
            }
            catch (Exception e) when (e is EnrollmentException or ProfileStoreException)
            {
                stderr.WriteLine($"error: {e.Message} (nothing was enrolled)");
                return 1;
            }
        });
        return command;
    }

    /// <summary>EnrollFromSession on the daemon: its store, its refusals (the status and the daemon's words), exit 1 or 3.</summary>
    private static int FromSession(string url, string? apiKey, EnrollFromSessionRequest request, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(url);
            var profile = new SpeakerProfiles.SpeakerProfilesClient(DaemonClient.Invoker(channel, apiKey)).EnrollFromSession(request);
            stdout.WriteLine($"enrolled {profile.Name}: {profile.SpeechSeconds:F1} s of speech from {profile.Clips} clip(s) ({profile.Kind}) in the daemon at {url}");
            return 0;
        }
        catch (Grpc.Core.RpcException e)
        {
            return GrpcClientErrors.Report(e, url, stderr);
        }
    }
}
