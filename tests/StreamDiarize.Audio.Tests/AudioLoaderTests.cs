// WAV and raw PCM decoding: every supported format decodes to the same 16 kHz mono signal; bad input names the file.
using NAudio.Wave;
using StreamDiarize.Audio;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Audio.Tests;

public sealed class AudioLoaderTests
{
    private static float[] Tone(int rate, double seconds, double hz = 440, double amp = 0.5)
    {
        var x = new float[(int)(rate * seconds)];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)(amp * Math.Sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    private static string WriteWav(string dir, string name, WaveFormat format, float[] mono)
    {
        var path = Path.Combine(dir, name);
        using var writer = new WaveFileWriter(path, format);
        if (format.BitsPerSample == 8)
        {
            // NAudio's writer has no 8-bit path: unsigned bytes centred on 128, as the WAV format defines.
            foreach (var s in mono)
            {
                writer.WriteByte((byte)Math.Clamp(Math.Round(s * 127 + 128), 0, 255));
            }
            return path;
        }
        foreach (var s in mono)
        {
            for (int c = 0; c < format.Channels; c++)
            {
                writer.WriteSample(s);
            }
        }
        return path;
    }

    [Fact]
    public void The_shared_AMI_clip_loads_as_thirty_seconds_of_16kHz_mono()
    {
        var clip = AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav"));
        Assert.Equal("dev00", clip.Id);
        Assert.Equal(16000, clip.SampleRateHz);
        Assert.Equal(30.0, clip.DurationSeconds, 2);
        Assert.Contains(clip.Samples, s => Math.Abs(s) > 0.01f);
    }

    [Theory]
    [InlineData(8, 1e-2)]
    [InlineData(16, 1e-4)]
    [InlineData(24, 1e-5)]
    [InlineData(32, 1e-5)]
    public void Integer_PCM_of_every_width_decodes_to_the_signal(int bits, double tolerance)
    {
        var dir = RepoPaths.NewTempDir();
        var tone = Tone(16000, 0.5);
        var path = WriteWav(dir, $"pcm{bits}.wav", new WaveFormat(16000, bits, 1), tone);
        var clip = AudioLoader.LoadWav(path);
        Assert.Equal(tone.Length, clip.Samples.Length);
        for (int i = 0; i < tone.Length; i++)
        {
            Assert.True(Math.Abs(tone[i] - clip.Samples[i]) <= tolerance, $"sample {i}: {tone[i]} vs {clip.Samples[i]}");
        }
    }

    [Fact]
    public void Multichannel_audio_is_mixed_down_to_mono()
    {
        var dir = RepoPaths.NewTempDir();
        var tone = Tone(16000, 0.25);
        var path = WriteWav(dir, "six.wav", WaveFormat.CreateIeeeFloatWaveFormat(16000, 6), tone);
        var clip = AudioLoader.LoadWav(path);
        Assert.Equal(tone.Length, clip.Samples.Length);
        Assert.Equal(tone[100], clip.Samples[100], 5);
    }

    [Fact]
    public void Other_rates_are_resampled_to_16kHz_keeping_duration_and_pitch()
    {
        var dir = RepoPaths.NewTempDir();
        var tone = Tone(44100, 1.0, hz: 1000);
        var path = WriteWav(dir, "cd.wav", new WaveFormat(44100, 16, 2), tone);
        var clip = AudioLoader.LoadWav(path);
        Assert.Equal(16000, clip.Samples.Length);
        // Count zero crossings in the middle: a 1 kHz tone crosses zero 2000 times a second.
        int crossings = 0;
        for (int i = 4001; i < 12000; i++)
        {
            if (Math.Sign(clip.Samples[i]) != Math.Sign(clip.Samples[i - 1]))
            {
                crossings++;
            }
        }
        Assert.InRange(crossings, 990, 1010);
    }

    [Fact]
    public void A_text_file_is_refused_naming_the_file()
    {
        var dir = RepoPaths.NewTempDir();
        var path = Path.Combine(dir, "notes.wav");
        File.WriteAllText(path, "these are meeting notes, not audio");
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("notes.wav", ex.Message);
        Assert.Contains("not a readable WAV", ex.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var dir = RepoPaths.NewTempDir();
        var path = Path.Combine(dir, "empty.wav");
        File.WriteAllBytes(path, []);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public void A_wav_with_a_header_but_no_samples_is_refused()
    {
        var dir = RepoPaths.NewTempDir();
        var path = WriteWav(dir, "nothing.wav", new WaveFormat(16000, 16, 1), []);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("no samples", ex.Message);
    }

    [Fact]
    public void A_truncated_wav_is_refused_with_how_much_is_missing()
    {
        var dir = RepoPaths.NewTempDir();
        var path = WriteWav(dir, "cut.wav", new WaveFormat(16000, 16, 1), Tone(16000, 1.0));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("cut.wav", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void A_missing_file_is_refused()
    {
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav("/nonexistent/meeting.wav"));
        Assert.Contains("no such file", ex.Message);
    }

    [Fact]
    public void An_unsupported_encoding_is_refused_with_the_supported_list()
    {
        var dir = RepoPaths.NewTempDir();
        var path = Path.Combine(dir, "alaw.wav");
        using (var writer = new WaveFileWriter(path, WaveFormat.CreateALawFormat(8000, 1)))
        {
            writer.Write(new byte[800], 0, 800);
        }
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("use PCM 8/16/24/32-bit integer or 32-bit float", ex.Message);
    }

    [Fact]
    public void Raw_s16le_stereo_at_8kHz_decodes_and_resamples()
    {
        var tone = Tone(8000, 0.5, hz: 300);
        var bytes = new byte[tone.Length * 4];
        for (int i = 0; i < tone.Length; i++)
        {
            short v = (short)(tone[i] * 32767);
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), v);
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4 + 2), v);
        }
        var clip = AudioLoader.LoadRaw(new MemoryStream(bytes), "stdin", "stdin", new RawPcmFormat(RawEncoding.S16LE, 8000, 2));
        Assert.Equal(8000, clip.Samples.Length);
        Assert.True(clip.Samples.Max() > 0.45f);
    }

    [Fact]
    public void Raw_bytes_that_are_not_whole_frames_are_refused()
    {
        var ex = Assert.Throws<AudioFormatException>(() =>
            AudioLoader.LoadRaw(new MemoryStream(new byte[7]), "stdin", "stdin", new RawPcmFormat(RawEncoding.F32LE, 16000, 1)));
        Assert.Contains("not a whole number", ex.Message);
        Assert.StartsWith("stdin", ex.Message);
    }

    [Fact]
    public void A_raw_format_outside_the_limits_lists_every_problem()
    {
        var ex = Assert.Throws<AudioFormatException>(() =>
            AudioLoader.LoadRaw(new MemoryStream(new byte[8]), "stdin", "stdin", new RawPcmFormat(RawEncoding.F32LE, 0, 9)));
        Assert.Contains("sample rate 0 Hz is invalid", ex.Message);
        Assert.Contains("channel count 9 is invalid", ex.Message);
    }

    [Fact]
    public void Non_finite_float_samples_are_refused_rather_than_diarized()
    {
        var dir = RepoPaths.NewTempDir();
        var samples = Tone(16000, 0.1);
        samples[10] = float.NaN;
        var path = WriteWav(dir, "nan.wav", WaveFormat.CreateIeeeFloatWaveFormat(16000, 1), samples);
        var ex = Assert.Throws<AudioFormatException>(() => AudioLoader.LoadWav(path));
        Assert.Contains("not a finite number", ex.Message);
    }
}
