// A generated meeting: its audio, the exact reference segments and which voice played which speaker; writes WAV + RTTM.
using NAudio.Wave;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;
using StreamDiarize.Synth.Voices;

namespace StreamDiarize.Synth;

/// <param name="Audio">16 kHz mono; its <see cref="AudioClip.Id"/> is the RTTM file id.</param>
/// <param name="Segments">One per turn, in start order; overlapping turns both appear.</param>
/// <param name="Speakers">spk0, spk1, ...; Speakers[k] is played by Voices[k].</param>
/// <param name="Voices">The TTS voice of each speaker.</param>
public sealed record SynthesizedMeeting(
    AudioClip Audio,
    IReadOnlyList<SpeakerSegment> Segments,
    IReadOnlyList<string> Speakers,
    IReadOnlyList<SynthVoice> Voices)
{
    /// <summary>Writes &lt;id&gt;.wav (16-bit PCM) and &lt;id&gt;.rttm into <paramref name="directory"/>, creating it if needed.</summary>
    public (string WavPath, string RttmPath) WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var wav = Path.Combine(directory, Audio.Id + ".wav");
        var rttm = Path.Combine(directory, Audio.Id + ".rttm");
        WriteWav(wav);
        using (var writer = new StreamWriter(rttm, append: false, new System.Text.UTF8Encoding(false)))
        {
            SynthRttmWriter.Write(writer, Audio.Id, Segments);
        }
        return (wav, rttm);
    }

    public void WriteWav(string path)
    {
        using var writer = new WaveFileWriter(path, new WaveFormat(Audio.SampleRateHz, 16, 1));
        var bytes = new byte[8192 * 2];
        var samples = Audio.Samples;
        for (int start = 0; start < samples.Length; start += 8192)
        {
            int count = Math.Min(8192, samples.Length - start);
            for (int i = 0; i < count; i++)
            {
                short value = (short)Math.Round(Math.Clamp(samples[start + i], -1f, 1f) * short.MaxValue);
                bytes[2 * i] = (byte)value;
                bytes[2 * i + 1] = (byte)(value >> 8);
            }
            writer.Write(bytes, 0, 2 * count);
        }
    }

    /// <summary>The RTTM text, as <see cref="WriteTo"/> writes it.</summary>
    public string ToRttm()
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        SynthRttmWriter.Write(writer, Audio.Id, Segments);
        return writer.ToString();
    }
}
