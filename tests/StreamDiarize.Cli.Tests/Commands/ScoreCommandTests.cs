// `streamdiarize score` run in-process through the real command line parser, on the real AMI references.
using System.Text.Json;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Commands;

public class ScoreCommandTests
{
    private static (int ExitCode, string Output, string Error) Invoke(params string[] args) => CliRunner.Invoke(args);

    [Fact]
    public void Score_of_the_ami_references_against_themselves_prints_zero_der_for_every_file_and_the_total()
    {
        var (exitCode, output, error) = Invoke("score", "--ref", RepoPaths.AmiDir, "--hyp", RepoPaths.AmiDir);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + RepoPaths.AmiIds.Count + 1, rows.Length);
        Assert.StartsWith("file", rows[0], StringComparison.Ordinal);
        Assert.Contains("DER %", rows[0], StringComparison.Ordinal);
        foreach (var id in RepoPaths.AmiIds)
        {
            var row = Assert.Single(rows, r => r.StartsWith(id + " ", StringComparison.Ordinal));
            Assert.EndsWith("0.00     0.00", row, StringComparison.Ordinal);
        }
        Assert.StartsWith("TOTAL", rows[^1], StringComparison.Ordinal);
        Assert.EndsWith("0.00     0.00", rows[^1], StringComparison.Ordinal);
    }

    /// <summary>The DER % column of the TOTAL row of a score table.</summary>
    private static double TotalDer(string table) =>
        double.Parse(table.Split('\n').Single(r => r.StartsWith("TOTAL", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[5], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Speech_only_scoring_ignores_who_speaks_but_not_when()
    {
        // The reference of dev00 with every segment given its own speaker: wrong speakers, right speech.
        var lines = File.ReadAllLines(RepoPaths.Ami("dev00.rttm")).Where(l => l.StartsWith("SPEAKER", StringComparison.Ordinal)).ToArray();
        var relabelled = lines.Select((l, i) =>
        {
            var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            f[7] = "X" + i;
            return string.Join(' ', f);
        });
        var hyp = Path.Combine(RepoPaths.NewTempDir(), "dev00.rttm");
        File.WriteAllLines(hyp, relabelled);

        var (_, byWho, _) = Invoke("score", "--ref", RepoPaths.Ami("dev00.rttm"), "--hyp", hyp, "--collar", "0");
        var (exitCode, speechOnly, _) = Invoke("score", "--ref", RepoPaths.Ami("dev00.rttm"), "--hyp", hyp, "--collar", "0", "--speech-only");

        Assert.Equal(0, exitCode);
        Assert.True(TotalDer(byWho) > 10, byWho);
        Assert.Equal(0, TotalDer(speechOnly));

        // One speaker over all 30 s: no miss, and the false alarm is the non-speech time over the union of speech.
        var all = Path.Combine(RepoPaths.NewTempDir(), "all.rttm");
        File.WriteAllText(all, "SPEAKER dev00 1 0.000 30.000 <NA> <NA> A <NA> <NA>\n");
        var (_, whole, _) = Invoke("score", "--ref", RepoPaths.Ami("dev00.rttm"), "--hyp", all, "--collar", "0", "--speech-only", "--json");
        using var json = JsonDocument.Parse(whole);
        var total = json.RootElement.GetProperty("total");
        Assert.Equal(0, total.GetProperty("missSeconds").GetDouble(), 6);
        Assert.Equal(0, total.GetProperty("confusionSeconds").GetDouble(), 6);
        double scored = total.GetProperty("scoredSeconds").GetDouble();
        Assert.Equal(30 - scored, total.GetProperty("falseAlarmSeconds").GetDouble(), 2);
    }

    [Fact]
    public void Score_with_json_prints_the_files_and_total()
    {
        var hyp = Path.Combine(RepoPaths.NewTempDir(), "one.rttm");
        File.WriteAllLines(hyp, RepoPaths.AmiIds.Select(id => $"SPEAKER {id} 1 0.000 30.000 <NA> <NA> X <NA> <NA>"));

        var (exitCode, output, _) = Invoke("score", "--ref", RepoPaths.AmiDir, "--hyp", hyp, "--json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(0.25, json.RootElement.GetProperty("collarSeconds").GetDouble());
        Assert.Equal(RepoPaths.AmiIds.Count, json.RootElement.GetProperty("files").GetArrayLength());
        Assert.InRange(json.RootElement.GetProperty("total").GetProperty("der").GetDouble(), 0.887, 0.891);
    }

    [Fact]
    public void Score_counts_a_missing_hypothesis_as_all_missed_and_says_so()
    {
        var dir = RepoPaths.NewTempDir();
        File.Copy(RepoPaths.Ami("dev00.rttm"), Path.Combine(dir, "dev00.rttm"));
        File.WriteAllText(Path.Combine(dir, "extra.rttm"), "SPEAKER zzz 1 0.0 1.0 <NA> <NA> S <NA> <NA>\n");

        var (exitCode, output, error) = Invoke("score", "--ref", RepoPaths.Ami("trn00.rttm"), "--hyp", dir, "--collar", "0");

        Assert.Equal(0, exitCode);
        Assert.Contains("trn00 has no hypothesis; scored as all missed", error, StringComparison.Ordinal);
        Assert.Contains("dev00 is in the hypothesis but has no reference; ignored", error, StringComparison.Ordinal);
        Assert.Contains("zzz is in the hypothesis", error, StringComparison.Ordinal);
        var trn00 = output.Split('\n').Single(r => r.StartsWith("trn00", StringComparison.Ordinal));
        Assert.Contains("100.00", trn00, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_reports_a_malformed_rttm_with_its_file_and_line_and_exits_2()
    {
        var dir = RepoPaths.NewTempDir();
        var bad = Path.Combine(dir, "bad.rttm");
        File.WriteAllText(bad, "SPEAKER dev00 1 1.0 1.0 <NA> <NA> S <NA> <NA>\nSPEAKER dev00 1 2.0 -1.0 <NA> <NA> S <NA> <NA>\n");

        var (exitCode, output, error) = Invoke("score", "--ref", RepoPaths.AmiDir, "--hyp", bad);

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Contains(bad + ", line 2: negative duration", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_reports_a_path_that_does_not_exist_and_exits_2()
    {
        var (exitCode, _, error) = Invoke("score", "--ref", "/no/such/place", "--hyp", RepoPaths.AmiDir);

        Assert.Equal(2, exitCode);
        Assert.Contains("--ref /no/such/place: no such file or folder", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_rejects_a_negative_collar_and_exits_2()
    {
        var (exitCode, _, error) = Invoke("score", "--ref", RepoPaths.AmiDir, "--hyp", RepoPaths.AmiDir, "--collar", "-1");

        Assert.Equal(2, exitCode);
        Assert.Contains("collar", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_help_describes_every_option()
    {
        var (exitCode, output, _) = Invoke("score", "--help");

        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--ref", "--hyp", "--collar", "--skip-overlap", "--json" })
        {
            var line = output.Split('\n').Single(l => l.TrimStart().StartsWith(option, StringComparison.Ordinal));
            Assert.True(line.Trim().Length > option.Length + 20, $"{option} has no description: {line}");
        }
    }
}
