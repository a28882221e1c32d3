// `streamdiarize file` with --plot, --ref, --compare and --export-speakers, run in-process on dev00.
using System.CommandLine;
using StreamDiarize.Cli.Commands;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Cli.Tests.Commands;

public class FileVisualOutputsTests
{
    private static int Invoke(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null });
    }

    [Fact]
    public void File_with_plot_ref_and_export_writes_the_figure_and_one_wav_per_speaker()
    {
        var dir = RepoPaths.NewTempDir();
        var plot = Path.Combine(dir, "fig.svg");
        var exit = Invoke("file", RepoPaths.Ami("dev00.wav"), "--out", dir, "--ref", RepoPaths.Ami("dev00.rttm"),
            "--plot", plot, "--export-speakers", Path.Combine(dir, "speakers"));

        Assert.Equal(0, exit);
        Assert.Contains("ref MEE009", File.ReadAllText(plot), StringComparison.Ordinal);
        var speakers = Directory.GetFiles(Path.Combine(dir, "speakers", "dev00"), "*.wav");
        Assert.NotEmpty(speakers);
        Assert.True(File.Exists(Path.Combine(dir, "speakers", "dev00", "index.json")));
    }

    [Theory]
    [InlineData("--plot", "fig.jpg")]
    [InlineData("--ref", "/no/such/ref.rttm")]
    [InlineData("--compare", "seed:wavelets")]
    public void Bad_visual_options_fail_before_any_audio_is_read(string option, string value)
    {
        var dir = RepoPaths.NewTempDir();
        var args = new List<string> { "file", RepoPaths.Ami("dev00.wav"), "--out", dir, option, value };
        if (option == "--compare")
        {
            args.AddRange(["--plot", Path.Combine(dir, "fig.png")]);
        }
        Assert.Equal(2, Invoke([.. args]));
        Assert.False(File.Exists(Path.Combine(dir, "dev00.rttm")));
    }

    [Fact]
    public void A_reference_folder_without_the_clip_fails_that_file_with_exit_code_one()
    {
        var dir = RepoPaths.NewTempDir();
        var refs = Directory.CreateDirectory(Path.Combine(dir, "refs")).FullName;
        Assert.Equal(1, Invoke("file", RepoPaths.Ami("dev00.wav"), "--out", dir, "--ref", refs));
    }

    [Fact]
    public void Several_inputs_get_one_figure_each_next_to_the_plot_path()
    {
        Assert.Equal(Path.Combine("out", "fig-dev01.png"), FileVisualOutputs.PlotPathFor(Path.Combine("out", "fig.png"), "dev01", onePerInput: true));
        Assert.Equal("fig.png", FileVisualOutputs.PlotPathFor("fig.png", "dev01", onePerInput: false));
    }
}
