// Draws the timeline figure: waveform, reference lanes, one panel per run with its speaker and error lanes, as PNG or SVG.
// ScottPlot draws each panel; SkiaSharp stacks the panels on one canvas, so PNG and SVG come from the same drawing code.
using System.Globalization;
using ScottPlot;
using SkiaSharp;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Visual;

public static class TimelinePlotter
{
    private const string FontName = "StreamDiarize Sans";
    private const int TitlePixels = 46;
    private const int TickPixels = 30;
    private const int AxisLabelPixels = 24;
    private const int RightPixels = 28;
    private const int LaneGapPixels = 4;
    private static readonly Lock FontGate = new();
    private static string? loadedFont;

    /// <summary>The figure's size in pixels for these options, without drawing it.</summary>
    public static (int Width, int Height) MeasurePixels(TimelineFigure figure, TimelinePlotOptions? options = null)
    {
        options ??= new TimelinePlotOptions();
        var panels = BuildPanels(figure, options);
        return (options.WidthPixels, panels.Sum(p => p.HeightPixels));
    }

    /// <summary>Writes the figure to <paramref name="path"/>: PNG for <c>.png</c>, SVG for <c>.svg</c>.</summary>
    /// <exception cref="ArgumentException">The extension is neither; the message says which are.</exception>
    public static void Save(TimelineFigure figure, string path, TimelinePlotOptions? options = null)
    {
        var format = FormatOf(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        using var file = File.Create(path);
        if (format == ".png")
        {
            WritePng(figure, file, options);
        }
        else
        {
            WriteSvg(figure, file, options);
        }
    }

    /// <summary>The output format for a path, or an error naming the supported ones.</summary>
    public static string FormatOf(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".png" or ".svg"
            ? ext
            : throw new ArgumentException($"cannot write a figure to '{path}': the extension '{ext}' is not supported; end the name in .png or .svg", nameof(path));
    }

    public static void WritePng(TimelineFigure figure, Stream output, TimelinePlotOptions? options = null)
    {
        options ??= new TimelinePlotOptions();
        var panels = Prepare(figure, options);
        int height = panels.Sum(p => p.HeightPixels);
        using var surface = SKSurface.Create(new SKImageInfo(options.WidthPixels, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not allocate a {options.WidthPixels} x {height} canvas");
        Draw(surface.Canvas, panels, options.WidthPixels);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        data.SaveTo(output);
    }

    public static void WriteSvg(TimelineFigure figure, Stream output, TimelinePlotOptions? options = null)
    {
        options ??= new TimelinePlotOptions();
        var panels = Prepare(figure, options);
        int height = panels.Sum(p => p.HeightPixels);
        // The SVG canvas writes its closing tag when disposed, so it must end before the stream does.
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, options.WidthPixels, height), output))
        {
            Draw(canvas, panels, options.WidthPixels);
        }
        output.Flush();
    }

    private static List<Panel> Prepare(TimelineFigure figure, TimelinePlotOptions options)
    {
        options.Validate();
        if (figure.Runs.Count == 0 && figure.Reference is null)
        {
            throw new ArgumentException("nothing to plot: give at least one run or a reference", nameof(figure));
        }
        RegisterFont(options.ResolveFontPath());
        return BuildPanels(figure, options);
    }

    private static void Draw(SKCanvas canvas, List<Panel> panels, int width)
    {
        canvas.Clear(SKColors.White);
        int top = 0;
        foreach (var panel in panels)
        {
            var plot = panel.ToPlot();
            // ScottPlot clears its canvas before drawing; clipping keeps that clear inside this panel's band.
            canvas.Save();
            canvas.ClipRect(new SKRect(0, top, width, top + panel.HeightPixels));
            canvas.Translate(0, top);
            plot.Render(canvas, width, panel.HeightPixels);
            canvas.Restore();
            top += panel.HeightPixels;
        }
    }

    private static void RegisterFont(string path)
    {
        // ScottPlot keeps fonts in a process-wide table; loading once avoids re-reading the file per figure.
        lock (FontGate)
        {
            if (loadedFont == path)
            {
                return;
            }
            Fonts.AddFontFile(FontName, path, bold: false, italic: false);
            var boldPath = Path.Combine(Path.GetDirectoryName(path) ?? ".", Path.GetFileNameWithoutExtension(path) + "-Bold.ttf");
            Fonts.AddFontFile(FontName, File.Exists(boldPath) ? boldPath : path, bold: true, italic: false);
            loadedFont = path;
        }
    }

    // --- What goes where: pure layout, no drawing, so sizes can be measured and tested. ---

    private static List<Panel> BuildPanels(TimelineFigure figure, TimelinePlotOptions options)
    {
        var clip = figure.Clip;
        double duration = Math.Max(clip.DurationSeconds, EndOf(figure.Reference ?? []));
        foreach (var run in figure.Runs)
        {
            duration = Math.Max(duration, EndOf(run.Segments));
        }
        duration = Math.Max(duration, 1e-3);

        var reference = figure.Reference;
        // Colours follow the reference speakers; without one, the first run's speakers set them.
        var anchor = reference ?? (figure.Runs.Count > 0 ? figure.Runs[0].Segments : []);
        var anchorSpeakers = SpeakersByFirstTurn(anchor);
        var anchorColor = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < anchorSpeakers.Count; i++)
        {
            anchorColor[anchorSpeakers[i]] = options.SpeakerPalette[i % options.SpeakerPalette.Count];
        }

        var panels = new List<Panel>();
        var header = new Panel(
            reference is null ? $"{clip.Id} — {duration:F1} s" : $"{clip.Id} — {duration:F1} s, reference: {anchorSpeakers.Count} speaker(s)",
            duration, options);
        int dataColumns = options.WidthPixels - options.LabelColumnPixels - RightPixels;
        header.Rows.Add(Row.Waveform(options.WaveformHeightPixels, Waveform.MinMaxColumns(clip.Samples, dataColumns), options.WaveformColor));
        if (reference is not null)
        {
            foreach (var speaker in anchorSpeakers)
            {
                header.Rows.Add(Row.Lane("ref " + speaker, options.LaneHeightPixels, Spans(reference, speaker, anchorColor[speaker])));
            }
        }
        panels.Add(header);

        foreach (var run in figure.Runs)
        {
            var score = DerScorer.Score(clip.Id, anchor, run.Segments);
            var hypToAnchor = score.Mapping.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
            var hypSpeakers = SpeakersByFirstTurn(run.Segments)
                .OrderBy(h => hypToAnchor.TryGetValue(h, out var a) ? anchorSpeakers.IndexOf(a) : int.MaxValue)
                .ToList();
            string title = run.Title;
            if (reference is not null)
            {
                title += string.Create(CultureInfo.InvariantCulture,
                    $" — DER {score.Der:P1} (miss {Rate(score.MissSeconds, score)}, false alarm {Rate(score.FalseAlarmSeconds, score)}, confusion {Rate(score.ConfusionSeconds, score)})");
            }
            var panel = new Panel(title, duration, options);
            int unmapped = 0;
            foreach (var speaker in hypSpeakers)
            {
                string color;
                string label = speaker;
                if (hypToAnchor.TryGetValue(speaker, out var mappedTo))
                {
                    color = anchorColor[mappedTo];
                    if (reference is not null && mappedTo != speaker)
                    {
                        label = $"{speaker} → {mappedTo}";
                    }
                }
                else
                {
                    color = options.SpeakerPalette[(anchorSpeakers.Count + unmapped++) % options.SpeakerPalette.Count];
                }
                panel.Rows.Add(Row.Lane(label, options.LaneHeightPixels, Spans(run.Segments, speaker, color)));
            }
            if (reference is not null)
            {
                var errors = ErrorTimeline.Compute(reference, run.Segments, score.Mapping);
                // Each lane is labelled with the scorer's seconds (overlapped speech counts once per speaker), the figures
                // `file --ref` prints without collar, rather than the length of the marked spans.
                AddErrorLane(panel, errors, ErrorKind.Miss, "miss", score.MissSeconds, options.MissColor, options);
                AddErrorLane(panel, errors, ErrorKind.FalseAlarm, "false alarm", score.FalseAlarmSeconds, options.FalseAlarmColor, options);
                AddErrorLane(panel, errors, ErrorKind.Confusion, "confusion", score.ConfusionSeconds, options.ConfusionColor, options);
            }
            panels.Add(panel);
        }
        panels[^1].ShowTimeLabel = true;
        return panels;
    }

    private static string Rate(double seconds, DerResult score) =>
        DerScorer.ErrorRate(seconds, score.ScoredSeconds).ToString("P1", CultureInfo.InvariantCulture);

    private static void AddErrorLane(Panel panel, List<ErrorSpan> errors, ErrorKind kind, string name, double seconds, string color, TimelinePlotOptions options)
    {
        var spans = errors.Where(e => e.Kind == kind).Select(e => new Span(e.StartSeconds, e.EndSeconds, color)).ToList();
        panel.Rows.Add(Row.Lane(string.Create(CultureInfo.InvariantCulture, $"{name} {seconds:F1} s"), options.ErrorLaneHeightPixels, spans));
    }

    private static List<Span> Spans(IReadOnlyList<SpeakerSegment> segments, string speaker, string color) =>
        segments.Where(s => s.Speaker == speaker && s.EndSeconds > s.StartSeconds).Select(s => new Span(s.StartSeconds, s.EndSeconds, color)).ToList();

    private static List<string> SpeakersByFirstTurn(IReadOnlyList<SpeakerSegment> segments) =>
        segments.Where(s => s.EndSeconds > s.StartSeconds)
            .GroupBy(s => s.Speaker, StringComparer.Ordinal)
            .OrderBy(g => g.Min(s => s.StartSeconds))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key)
            .ToList();

    private static double EndOf(IReadOnlyList<SpeakerSegment> segments) => segments.Count == 0 ? 0 : segments.Max(s => s.EndSeconds);

    private readonly record struct Span(double Start, double End, string Color);

    private sealed class Row
    {
        public required string Label { get; init; }

        public required int HeightPixels { get; init; }

        public List<Span> Spans { get; init; } = [];

        public (float[] Min, float[] Max)? Wave { get; init; }

        public string WaveColor { get; init; } = "#000000";

        public static Row Waveform(int height, (float[] Min, float[] Max) wave, string color) =>
            new() { Label = "waveform", HeightPixels = height, Wave = wave, WaveColor = color };

        public static Row Lane(string label, int height, List<Span> spans) => new() { Label = label, HeightPixels = height, Spans = spans };
    }

    /// <summary>One stacked plot. Its y axis is measured in pixels of the data area, so lane heights are exact.</summary>
    private sealed class Panel(string title, double durationSeconds, TimelinePlotOptions options)
    {
        public List<Row> Rows { get; } = [];

        public bool ShowTimeLabel { get; set; }

        private int RowsPixels => Rows.Sum(r => r.HeightPixels + LaneGapPixels) + LaneGapPixels;

        public int HeightPixels => TitlePixels + RowsPixels + TickPixels + (ShowTimeLabel ? AxisLabelPixels : 0);

        public Plot ToPlot()
        {
            var plot = new Plot();
            plot.Font.Set(FontName);
            plot.FigureBackground.Color = Colors.White;
            plot.DataBackground.Color = Colors.White;
            plot.HideGrid();
            plot.Title(title, options.TitleFontSize);
            if (ShowTimeLabel)
            {
                plot.XLabel("time (s)", options.LabelFontSize);
            }
            plot.Axes.Bottom.TickLabelStyle.FontSize = options.LabelFontSize;
            plot.Axes.Left.TickLabelStyle.FontSize = options.LabelFontSize;
            plot.Axes.Left.MajorTickStyle.Length = 0;
            plot.Axes.Left.MinorTickStyle.Length = 0;

            var ticks = new ScottPlot.TickGenerators.NumericManual();
            double top = RowsPixels - LaneGapPixels;
            foreach (var row in Rows)
            {
                double bottom = top - row.HeightPixels;
                ticks.AddMajor(0.5 * (top + bottom), row.Label);
                if (row.Wave is { } wave)
                {
                    AddWaveform(plot, wave, bottom, top, row.WaveColor);
                }
                else
                {
                    var lane = plot.Add.Rectangle(0, durationSeconds, bottom, top);
                    lane.FillColor = Color.FromHex("#f1f3f5");
                    lane.LineWidth = 0;
                    foreach (var span in row.Spans)
                    {
                        var rect = plot.Add.Rectangle(span.Start, span.End, bottom, top);
                        rect.FillColor = Color.FromHex(span.Color);
                        rect.LineWidth = 0;
                    }
                }
                top = bottom - LaneGapPixels;
            }
            plot.Axes.Left.TickGenerator = ticks;
            plot.Axes.SetLimits(0, durationSeconds, 0, RowsPixels);
            plot.Layout.Fixed(new PixelPadding(
                options.LabelColumnPixels, RightPixels, TickPixels + (ShowTimeLabel ? AxisLabelPixels : 0), TitlePixels));
            return plot;
        }

        private void AddWaveform(Plot plot, (float[] Min, float[] Max) wave, double bottom, double top, string color)
        {
            int n = wave.Min.Length;
            var xs = new double[n];
            var lo = new double[n];
            var hi = new double[n];
            double mid = 0.5 * (top + bottom);
            double half = 0.5 * (top - bottom);
            // Scale to the loudest column so quiet meeting audio still fills its strip.
            float peak = 1e-6f;
            for (int i = 0; i < n; i++)
            {
                peak = Math.Max(peak, Math.Max(Math.Abs(wave.Min[i]), Math.Abs(wave.Max[i])));
            }
            for (int i = 0; i < n; i++)
            {
                xs[i] = (i + 0.5) * durationSeconds / n;
                lo[i] = mid + (half * wave.Min[i] / peak);
                hi[i] = mid + (half * wave.Max[i] / peak);
            }
            var fill = plot.Add.FillY(xs, lo, hi);
            fill.FillColor = Color.FromHex(color);
            fill.LineWidth = 0;
        }
    }
}
