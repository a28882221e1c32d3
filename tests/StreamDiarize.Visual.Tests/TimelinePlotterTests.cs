// Renders the dev00 figure for real and reads its pixels back: size, not blank, lanes in the palette's colours, SVG text.
using System.Xml.Linq;
using SkiaSharp;
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;
using StreamDiarize.Visual;

namespace StreamDiarize.Visual.Tests;

public sealed class TimelinePlotterTests
{
    private static readonly Lazy<AudioClip> Dev00 = new(() => AudioLoader.LoadWav(RepoPaths.Ami("dev00.wav")));

    private static IReadOnlyList<SpeakerSegment> Reference => Rttm.ReadFile(RepoPaths.Ami("dev00.rttm"))["dev00"];

    /// <summary>MEE012's turn around 27 s (26.2-28.4 s), which nobody else speaks over.</summary>
    private static SpeakerSegment ConfusedTurn => Reference.Single(s => s.Speaker == "MEE012" && s.StartSeconds < 27 && s.EndSeconds > 27);

    /// <summary>The reference with its speakers renamed, and <see cref="ConfusedTurn"/> given to MEE009's S0: a known confusion.</summary>
    private static List<SpeakerSegment> Hypothesis()
    {
        var hyp = new List<SpeakerSegment>();
        foreach (var s in Reference)
        {
            var name = s.Speaker == "MEE009" || s == ConfusedTurn ? "S0" : "S1";
            hyp.Add(s with { Speaker = name });
        }
        return hyp;
    }

    private static TimelineFigure Figure() => new(Dev00.Value, Reference, [new TimelineRun("renamed reference", Hypothesis())]);

    [Fact]
    public void The_png_has_the_measured_size_and_is_not_blank()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "dev00.png");
        TimelinePlotter.Save(Figure(), path);

        using var bitmap = SKBitmap.Decode(path);
        var (width, height) = TimelinePlotter.MeasurePixels(Figure());
        Assert.Equal(1600, bitmap.Width);
        Assert.Equal(width, bitmap.Width);
        Assert.Equal(height, bitmap.Height);
        Assert.InRange(height, 300, 1200);

        var colors = new HashSet<SKColor>();
        int nonWhite = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
        {
            for (int x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                colors.Add(c);
                if (c != SKColors.White)
                {
                    nonWhite++;
                }
            }
        }
        Assert.True(colors.Count > 50, $"only {colors.Count} distinct colours: the figure looks blank");
        Assert.True(nonWhite > bitmap.Width * bitmap.Height / 4 / 20, $"only {nonWhite} non-background pixels sampled");
    }

    [Fact]
    public void Each_speaker_lane_is_drawn_in_its_palette_colour_where_that_speaker_talks()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "dev00.png");
        var options = new TimelinePlotOptions();
        TimelinePlotter.Save(Figure(), path, options);
        using var bitmap = SKBitmap.Decode(path);

        // MEE009 talks over 1.44-13.3 s, MEE012 over 13.15-16.9 s: sample the middle of each turn in every lane.
        var mee009 = SKColor.Parse(options.SpeakerPalette[0]);
        var mee012 = SKColor.Parse(options.SpeakerPalette[1]);
        var at7s = ColumnColors(bitmap, options, 7.0);
        var at15s = ColumnColors(bitmap, options, 15.0);
        Assert.Contains(mee009, at7s);
        Assert.Contains(mee012, at15s);
        Assert.NotEqual(mee009, mee012);
        // Reference lane and mapped hypothesis lane share the colour: two lanes of MEE009 at 7 s, two of MEE012 at 15 s.
        Assert.Equal(2, CountRuns(at7s, mee009));
        Assert.Equal(2, CountRuns(at15s, mee012));
        Assert.DoesNotContain(mee012, at7s);
    }

    [Fact]
    public void The_confused_turn_is_marked_in_the_error_colour_and_correct_speech_is_not()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "dev00.png");
        var options = new TimelinePlotOptions();
        TimelinePlotter.Save(Figure(), path, options);
        using var bitmap = SKBitmap.Decode(path);

        var confusion = SKColor.Parse(options.ConfusionColor);
        var confusedColumn = ColumnColors(bitmap, options, 27.0);
        Assert.Contains(confusion, confusedColumn);
        Assert.DoesNotContain(confusion, ColumnColors(bitmap, options, 7.0));
    }

    [Fact]
    public void The_svg_is_well_formed_xml_naming_every_speaker()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "dev00.svg");
        TimelinePlotter.Save(Figure(), path);

        var svg = XDocument.Load(path);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        var text = string.Concat(svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        foreach (var label in new[] { "MEE009", "MEE012", "S0", "S1", "confusion" })
        {
            Assert.Contains(label, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Several_runs_stack_as_panels_and_make_the_figure_taller()
    {
        var one = TimelinePlotter.MeasurePixels(Figure());
        var three = TimelinePlotter.MeasurePixels(Figure() with
        {
            Runs = [new TimelineRun("a", Hypothesis()), new TimelineRun("b", Reference), new TimelineRun("c", Hypothesis())],
        });
        Assert.True(three.Height > one.Height + 200, $"{one.Height} -> {three.Height}");
    }

    [Fact]
    public void A_figure_without_reference_still_draws_the_runs()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "noref.png");
        TimelinePlotter.Save(new TimelineFigure(Dev00.Value, null, [new TimelineRun("only", Hypothesis())]), path);
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(1600, bitmap.Width);
    }

    [Fact]
    public void An_unknown_extension_is_refused_with_the_supported_ones_named()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "dev00.jpg");
        var ex = Assert.Throws<ArgumentException>(() => TimelinePlotter.Save(Figure(), path));
        Assert.Contains(".png or .svg", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Bad_options_are_reported_together()
    {
        var options = new TimelinePlotOptions { WidthPixels = 10, SpeakerPalette = ["red"], FontPath = "/nonexistent.ttf" };
        var errors = string.Join("\n", options.GetValidationErrors());
        Assert.Contains("WidthPixels 10", errors, StringComparison.Ordinal);
        Assert.Contains("LabelColumnPixels", errors, StringComparison.Ordinal);
        Assert.Contains("colour 'red'", errors, StringComparison.Ordinal);
        Assert.Contains("/nonexistent.ttf", errors, StringComparison.Ordinal);
    }

    /// <summary>The colours down one pixel column at time <paramref name="seconds"/>.</summary>
    private static List<SKColor> ColumnColors(SKBitmap bitmap, TimelinePlotOptions options, double seconds)
    {
        // The data area spans from the label column to the right margin in every panel (fixed layout).
        int left = options.LabelColumnPixels;
        int right = bitmap.Width - 28;
        int x = left + (int)Math.Round(seconds / Dev00.Value.DurationSeconds * (right - left));
        var colors = new List<SKColor>(bitmap.Height);
        for (int y = 0; y < bitmap.Height; y++)
        {
            colors.Add(bitmap.GetPixel(x, y));
        }
        return colors;
    }

    /// <summary>How many separate vertical runs of at least 6 pixels of <paramref name="color"/> a column holds.</summary>
    private static int CountRuns(List<SKColor> column, SKColor color)
    {
        int runs = 0, length = 0;
        foreach (var c in column.Append(SKColors.Transparent))
        {
            if (c == color)
            {
                length++;
            }
            else
            {
                if (length >= 6)
                {
                    runs++;
                }
                length = 0;
            }
        }
        return runs;
    }
}
