// Exports dev00's reference speakers and reads the WAVs back: lengths, index entries and samples at the recorded offsets.
using NAudio.Wave;
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Audio.Tests;

public sealed class SpeakerExporterTests
{
    private static readonly Lazy<AudioClip> Dev00 = new(() => AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav")));

    private static IReadOnlyList<SpeakerSegment> Reference => Rttm.ReadFile(RepoPaths.Ami("dev00.rttm"))["dev00"];

    [Fact]
    public void Each_speaker_file_lasts_the_sum_of_its_turns_plus_the_gaps()
    {
        var dir = RepoPaths.NewTempDir();
        var index = SpeakerExporter.Export(Dev00.Value, Reference, dir, new SpeakerExportOptions { GapSeconds = 0.2 });

        Assert.Equal(["MEE009", "MEE012"], index.Speakers.Select(s => s.Speaker).Order());
        foreach (var speaker in index.Speakers)
        {
            using var reader = new WaveFileReader(Path.Combine(dir, speaker.FileName));
            Assert.Equal(16000, reader.WaveFormat.SampleRate);
            Assert.Equal(16, reader.WaveFormat.BitsPerSample);
            Assert.Equal(1, reader.WaveFormat.Channels);
            var turns = Reference.Where(s => s.Speaker == speaker.Speaker).ToList();
            double expected = turns.Sum(t => t.DurationSeconds) + (0.2 * (turns.Count - 1));
            Assert.Equal(expected, reader.TotalTime.TotalSeconds, 2);
            Assert.Equal(speaker.LengthSamples, reader.SampleCount);
        }
    }

    [Fact]
    public void The_index_lists_every_turn_and_the_samples_match_the_source_at_the_recorded_offsets()
    {
        var dir = RepoPaths.NewTempDir();
        var clip = Dev00.Value;
        SpeakerExporter.Export(clip, Reference, dir);
        var index = SpeakerExporter.ReadIndex(Path.Combine(dir, SpeakerExporter.JsonIndexName));

        Assert.Equal(Reference.Count, index.Speakers.Sum(s => s.Turns.Count));
        var tsvLines = File.ReadAllLines(Path.Combine(dir, SpeakerExporter.TsvIndexName));
        Assert.Equal(Reference.Count + 1, tsvLines.Length);
        foreach (var speaker in index.Speakers)
        {
            var exported = ReadSamples(Path.Combine(dir, speaker.FileName));
            foreach (var turn in speaker.Turns)
            {
                Assert.Contains(Reference, s => s.Speaker == speaker.Speaker && Math.Abs(s.StartSeconds - turn.SourceStartSeconds) < 1e-3);
                for (long k = 0; k < turn.LengthSamples; k += 97)
                {
                    // dev00 is 16-bit, so the export (scaled by 32768) reproduces it exactly.
                    Assert.Equal(clip.Samples[turn.SourceStartSample + k], exported[turn.OffsetSample + k]);
                }
            }
        }
    }

    [Fact]
    public void Turns_are_joined_when_they_overlap_and_gaps_are_silent()
    {
        var clip = new AudioClip("tone", Enumerable.Range(0, 16000).Select(i => (float)Math.Sin(i * 0.05) * 0.5f).ToArray(), 16000);
        var dir = RepoPaths.NewTempDir();
        var index = SpeakerExporter.Export(clip, [new(0.1, 0.3, "A"), new(0.2, 0.4, "A"), new(0.6, 0.7, "A")], dir, new SpeakerExportOptions { GapSeconds = 0.1 });

        var a = Assert.Single(index.Speakers);
        Assert.Equal(2, a.Turns.Count);
        Assert.Equal(4800 + 1600 + 1600, a.LengthSamples);
        var samples = ReadSamples(Path.Combine(dir, a.FileName));
        Assert.All(samples.Skip(4800).Take(1600), s => Assert.Equal(0f, s));
    }

    [Fact]
    public void A_negative_gap_is_refused_with_the_allowed_range()
    {
        var ex = Assert.Throws<ArgumentException>(() => SpeakerExporter.Export(Dev00.Value, Reference, RepoPaths.NewTempDir(), new SpeakerExportOptions { GapSeconds = -1 }));
        Assert.Contains("0 to 10 seconds", ex.Message, StringComparison.Ordinal);
    }

    private static float[] ReadSamples(string path)
    {
        using var reader = new WaveFileReader(path);
        var bytes = new byte[reader.Length];
        reader.ReadExactly(bytes);
        var samples = new float[bytes.Length / 2];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = BitConverter.ToInt16(bytes, 2 * i) / 32768f;
        }
        return samples;
    }
}
