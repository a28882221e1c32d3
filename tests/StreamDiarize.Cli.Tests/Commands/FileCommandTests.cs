// `streamdiarize file` end to end on real clips: RTTM and JSON out, the seed method selectable, bad input named.
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Commands;

public sealed class FileCommandTests
{
    [Fact]
    public void File_with_the_embedded_defaults_writes_rttm_and_json_that_score_well_on_dev01()
    {
        var dir = RepoPaths.NewTempDir();
        var (code, output, error) = CliRunner.Invoke("file", RepoPaths.Ami("dev01.wav"), "--out", dir);
        Assert.True(code == 0, error);
        Assert.Contains("dev01", output);
        var hyp = Rttm.ReadFile(Path.Combine(dir, "dev01.rttm"))["dev01"];
        var reference = Rttm.ReadFile(RepoPaths.Ami("dev01.rttm"))["dev01"];
        var der = DerScorer.Score("dev01", reference, hyp, new DerOptions { CollarSeconds = 0.25 }).Der;
        // Far better than one speaker over the whole clip; the recorded per-file figure is in docs/ACCURACY.md.
        Assert.InRange(der, 0, 0.5);
        var json = SegmentJson.Deserialize(File.ReadAllText(Path.Combine(dir, "dev01.json")));
        Assert.Equal("dev01", json.FileId);
        Assert.Equal(hyp.Count, json.Segments.Count);
    }

    [Fact]
    public void The_seed_method_with_an_exact_count_gives_that_many_speakers()
    {
        var dir = RepoPaths.NewTempDir();
        var (code, _, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn03.wav"), "--out", dir, "--method", "seed", "--num-speakers", "2");
        Assert.True(code == 0, error);
        var hyp = Rttm.ReadFile(Path.Combine(dir, "trn03.rttm"))["trn03"];
        Assert.Equal(2, hyp.Select(s => s.Speaker).Distinct().Count());
        // The seed gives every frame a speaker: the turns tile the whole clip.
        Assert.Equal(30.0, hyp.Sum(s => s.DurationSeconds), 1);
    }

    [Fact]
    public void The_readme_seed_command_with_method_and_features_runs()
    {
        // `--method seed --features mfcc` names Diarization:Method twice; it crashed with a duplicate-key exception.
        var dir = RepoPaths.NewTempDir();
        var (code, _, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn03.wav"), "--out", dir, "--method", "seed", "--features", "mfcc");
        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(dir, "trn03.rttm")));
    }

    [Fact]
    public void A_bad_file_is_named_and_the_good_ones_still_run()
    {
        var dir = RepoPaths.NewTempDir();
        var bad = Path.Combine(dir, "notes.wav");
        File.WriteAllText(bad, "not audio");
        var (code, output, error) = CliRunner.Invoke("file", bad, RepoPaths.Ami("trn05.wav"), "--out", dir);
        Assert.Equal(1, code);
        Assert.Contains("notes.wav", error);
        Assert.Contains("trn05", output);
        Assert.True(File.Exists(Path.Combine(dir, "trn05.rttm")));
    }

    [Fact]
    public void Conflicting_hints_are_refused_before_any_work()
    {
        var (code, _, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--out", RepoPaths.NewTempDir(), "--min-speakers", "3", "--max-speakers", "2");
        Assert.Equal(2, code);
        Assert.Contains("--min-speakers 3 is above --max-speakers 2", error);
    }

    [Fact]
    public void Features_with_the_default_method_is_refused_with_what_to_do()
    {
        var (code, _, error) = CliRunner.Invoke("file", RepoPaths.Ami("trn05.wav"), "--out", RepoPaths.NewTempDir(), "--method", "default", "--features", "mfcc");
        Assert.Equal(2, code);
        Assert.Contains("applies to --method seed", error);
    }
}
