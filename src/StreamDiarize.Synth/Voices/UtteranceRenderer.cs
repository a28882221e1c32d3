// Renders one sentence with one voice: runs the engine into a temp WAV, loads it at 16 kHz, trims and levels it.
using StreamDiarize.Audio;

namespace StreamDiarize.Synth.Voices;

internal sealed class UtteranceRenderer(TtsTools tools, string tempDirectory, float targetRms)
{
    private int _counter;

    /// <summary>Trimmed, levelled 16 kHz samples whose first and last samples are speech.</summary>
    public float[] Render(SynthVoice voice, string text, CancellationToken ct)
    {
        var path = Path.Combine(tempDirectory, $"u{Interlocked.Increment(ref _counter)}.wav");
        var executable = tools.ExecutableOf(voice.Engine);
        string[] arguments = voice.Engine == TtsEngine.EspeakNg
            ? ["-v", voice.Voice, "-p", $"{voice.Pitch}", "-s", $"{voice.WordsPerMinute}", "-w", path, text]
            : ["-voice", voice.Voice, "-t", text, "-o", path];
        try
        {
            var result = TtsProcess.TryRun(executable, arguments, ct)
                ?? throw new TtsUnavailableException($"{TtsTools.PackageOf(voice.Engine)} is not installed ('{executable}' could not be run): apt-get install {TtsTools.PackageOf(voice.Engine)}");
            if (result.ExitCode != 0 || !File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"{voice.Name} failed on \"{text}\" (exit code {result.ExitCode}): {result.StandardError.Trim()}");
            }
            var clip = AudioLoader.LoadWav(path);
            return UtteranceTrimmer.TrimAndLevel(clip.Samples, targetRms)
                ?? throw new InvalidOperationException($"{voice.Name} produced only silence for \"{text}\"; check the voice with: {executable} {string.Join(' ', arguments)}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
