// `enroll` and `file --known` through the real parser on real voices: the four-command walk-through of the README.
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Commands;

public sealed class EnrollCommandTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Enrolled_speakers_are_listed_and_name_their_turns_in_the_rttm_while_others_stay_anonymous()
    {
        string data = Path.Combine(_dir, "data"), wav = RepoPaths.RealDev("dev_2spk_3min.wav"), rttm = RepoPaths.RealDev("dev_2spk_3min.rttm");
        var (code, output, error) = CliRunner.Invoke("enroll", "Pat", wav, "--turns", rttm, "--speaker", "VCTKp225", "--to", "60", "--data", data);
        Assert.True(code == 0, error);
        Assert.Contains("enrolled Pat:", output);

        (code, output, _) = CliRunner.Invoke("enroll", "--list", "--data", data);
        Assert.Equal(0, code);
        Assert.Contains("Pat", output);
        Assert.Contains("features/v1", output);

        // VCTKp226 is not enrolled: its turns keep an anonymous id.
        (code, output, error) = CliRunner.Invoke("file", wav, "--known", "all", "--data", data, "--out", _dir);
        Assert.True(code == 0, error);
        Assert.Contains(" is Pat ", output);
        var turns = Rttm.ReadFile(Path.Combine(_dir, "dev_2spk_3min.rttm"))["dev_2spk_3min"];
        var speakers = turns.Select(t => t.Speaker).Distinct().ToList();
        Assert.Contains("Pat", speakers);
        Assert.Contains(speakers, s => s.StartsWith('S'));

        (code, output, _) = CliRunner.Invoke("enroll", "--remove", "Pat", "--data", data);
        Assert.Equal(0, code);
        (code, _, error) = CliRunner.Invoke("file", wav, "--known", "Pat", "--data", data, "--out", _dir);
        Assert.Equal(2, code);
        Assert.Contains("no profile named 'Pat'", error);
    }

    [Fact]
    public void A_corrupt_store_and_a_bad_name_are_refused_with_what_to_do()
    {
        string data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "profiles.db"), "not a database, just some text standing where the store should be");
        var (code, _, error) = CliRunner.Invoke("enroll", "--list", "--data", data);
        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(data, "profiles.db"), error);

        (code, _, error) = CliRunner.Invoke("enroll", "S4", RepoPaths.RealDev("dev_2spk_3min.wav"), "--data", Path.Combine(_dir, "other"));
        Assert.Equal(1, code);
        Assert.Contains("looks like an anonymous speaker id", error);
        Assert.Contains("nothing was enrolled", error);
    }
}
