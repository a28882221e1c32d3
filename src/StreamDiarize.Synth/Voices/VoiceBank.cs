// The voices a meeting can cast, in a fixed order that alternates engines and genders, filtered by what is installed.
namespace StreamDiarize.Synth.Voices;

/// <summary>
/// The installed subset of <see cref="Catalogue"/>. Speaker k gets the k-th available voice, so the same machine setup
/// always casts the same voices. With both engines there are 12 voices; espeak-ng alone gives 8, flite alone 4.
/// </summary>
public sealed class VoiceBank
{
    /// <summary>
    /// Every voice, most distinct first: the first eight with both engines installed mix four flite voices
    /// (recorded people) with four espeak-ng voices far apart in pitch, speed and formant variant.
    /// </summary>
    public static IReadOnlyList<SynthVoice> Catalogue { get; } =
    [
        new(TtsEngine.Flite, "slt", null, null, "female, US English, unit selection"),
        new(TtsEngine.EspeakNg, "en+m3", 40, 150, "male, British English, mid pitch"),
        new(TtsEngine.Flite, "awb", null, null, "male, Scottish English, unit selection"),
        new(TtsEngine.EspeakNg, "en-us+f2", 70, 170, "female, US English, high pitch"),
        new(TtsEngine.Flite, "rms", null, null, "male, US English, low, unit selection"),
        new(TtsEngine.EspeakNg, "en-gb+f4", 55, 140, "female, British English, slow"),
        new(TtsEngine.Flite, "kal16", null, null, "male, US English, diphone"),
        new(TtsEngine.EspeakNg, "en-gb-scotland+m1", 20, 175, "male, Scottish English, very low, fast"),
        new(TtsEngine.EspeakNg, "en-us+klatt", 50, 160, "male, US English, Klatt formants"),
        new(TtsEngine.EspeakNg, "en-us+f5", 85, 185, "female, US English, very high, fast"),
        new(TtsEngine.EspeakNg, "en-gb-x-rp+m7", 35, 130, "male, RP English, slow"),
        new(TtsEngine.EspeakNg, "en-029+croak", 30, 160, "male, Caribbean English, creaky"),
    ];

    private VoiceBank(TtsTools tools, IReadOnlyList<SynthVoice> available, IReadOnlyList<string> problems)
    {
        Tools = tools;
        Available = available;
        Problems = problems;
    }

    public TtsTools Tools { get; }

    /// <summary>The catalogue voices whose engine (and, for flite, voice) is installed, in catalogue order.</summary>
    public IReadOnlyList<SynthVoice> Available { get; }

    /// <summary>What is missing, one line per engine or voice, each naming the Debian package to install.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Asks each engine whether it runs (espeak-ng --version, flite -lv) and which voices it has.</summary>
    public static VoiceBank Detect(TtsTools? tools = null)
    {
        tools ??= TtsTools.Default;
        var problems = new List<string>();
        bool espeak = TtsProcess.TryRun(tools.EspeakNg, ["--version"], CancellationToken.None) is { ExitCode: 0 };
        if (!espeak)
        {
            problems.Add($"espeak-ng is not installed ('{tools.EspeakNg}' could not be run): apt-get install espeak-ng");
        }
        // `flite -lv` prints "Voices available: kal awb_time kal16 awb rms slt"; the list varies with the build.
        var fliteVoices = new HashSet<string>(StringComparer.Ordinal);
        var lv = TtsProcess.TryRun(tools.Flite, ["-lv"], CancellationToken.None);
        if (lv is null)
        {
            problems.Add($"flite is not installed ('{tools.Flite}' could not be run): apt-get install flite");
        }
        else
        {
            var text = lv.StandardOutput + " " + lv.StandardError;
            int colon = text.IndexOf(':', StringComparison.Ordinal);
            foreach (var name in text[(colon + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                fliteVoices.Add(name);
            }
        }
        var available = new List<SynthVoice>();
        foreach (var voice in Catalogue)
        {
            if (voice.Engine == TtsEngine.EspeakNg && espeak)
            {
                available.Add(voice);
            }
            else if (voice.Engine == TtsEngine.Flite && lv is not null)
            {
                if (fliteVoices.Contains(voice.Voice))
                {
                    available.Add(voice);
                }
                else
                {
                    problems.Add($"flite has no voice '{voice.Voice}' (flite -lv lists: {string.Join(' ', fliteVoices)}): install Debian's flite, which builds it in");
                }
            }
        }
        return new VoiceBank(tools, available, problems);
    }

    /// <summary>The first <paramref name="count"/> available voices, or a <see cref="TtsUnavailableException"/> saying what to install.</summary>
    public IReadOnlyList<SynthVoice> Cast(int count)
    {
        if (Available.Count >= count)
        {
            return Available.Take(count).ToList();
        }
        var missing = Problems.Count > 0 ? " " + string.Join("; ", Problems) + "." : "";
        throw new TtsUnavailableException(
            $"a meeting with {count} speakers needs {count} distinct TTS voices but only {Available.Count} are available.{missing} " +
            "Install both engines with: apt-get install espeak-ng flite");
    }
}
