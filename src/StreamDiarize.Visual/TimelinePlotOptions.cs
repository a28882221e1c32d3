// Size, fonts and colours of the timeline figure, with defaults that read well at 1600 px and a check of them all.
namespace StreamDiarize.Visual;

public sealed class TimelinePlotOptions
{
    /// <summary>The folders searched for <see cref="FontFileName"/> when <see cref="FontPath"/> is not given (Debian's fonts-dejavu-core, then common others).</summary>
    public static IReadOnlyList<string> FontFolders { get; } =
    [
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu",
        "/usr/share/fonts/TTF",
        "/usr/local/share/fonts",
        "/Library/Fonts",
        "C:/Windows/Fonts",
    ];

    public int WidthPixels { get; init; } = 1600;

    /// <summary>Height of the waveform strip at the top.</summary>
    public int WaveformHeightPixels { get; init; } = 110;

    /// <summary>Height of one speaker lane; error lanes are <see cref="ErrorLaneHeightPixels"/>.</summary>
    public int LaneHeightPixels { get; init; } = 28;

    public int ErrorLaneHeightPixels { get; init; } = 18;

    /// <summary>Room on the left for lane labels such as <c>S0 → MEE009</c>.</summary>
    public int LabelColumnPixels { get; init; } = 190;

    public float TitleFontSize { get; init; } = 17;

    public float LabelFontSize { get; init; } = 14;

    /// <summary>A TrueType file for all text. Null: <see cref="FontFileName"/> from <see cref="FontFolders"/>.</summary>
    public string? FontPath { get; init; }

    public string FontFileName { get; init; } = "DejaVuSans.ttf";

    /// <summary>Speaker colours, in order: reference speakers by first turn, then unmapped hypothesis speakers. Distinct from the error colours.</summary>
    public IReadOnlyList<string> SpeakerPalette { get; init; } =
        ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#843c39", "#7b4173"];

    public string MissColor { get; init; } = "#d62728";

    public string FalseAlarmColor { get; init; } = "#ff7f0e";

    public string ConfusionColor { get; init; } = "#222222";

    public string WaveformColor { get; init; } = "#4a5568";

    /// <summary>Every problem at once, so one run of a bad configuration shows them all.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (WidthPixels is < 400 or > 20000)
        {
            errors.Add($"WidthPixels {WidthPixels} is invalid: use 400 to 20000");
        }
        if (WaveformHeightPixels is < 20 or > 2000)
        {
            errors.Add($"WaveformHeightPixels {WaveformHeightPixels} is invalid: use 20 to 2000");
        }
        if (LaneHeightPixels is < 6 or > 400)
        {
            errors.Add($"LaneHeightPixels {LaneHeightPixels} is invalid: use 6 to 400");
        }
        if (ErrorLaneHeightPixels is < 4 or > 400)
        {
            errors.Add($"ErrorLaneHeightPixels {ErrorLaneHeightPixels} is invalid: use 4 to 400");
        }
        if (LabelColumnPixels < 40 || LabelColumnPixels > WidthPixels / 2)
        {
            errors.Add($"LabelColumnPixels {LabelColumnPixels} is invalid: use 40 to half of WidthPixels");
        }
        if (TitleFontSize is < 6 or > 100 || LabelFontSize is < 6 or > 100)
        {
            errors.Add($"font sizes {TitleFontSize}/{LabelFontSize} are invalid: use 6 to 100");
        }
        if (SpeakerPalette.Count == 0)
        {
            errors.Add("SpeakerPalette is empty: give at least one colour such as #1f77b4");
        }
        foreach (var hex in SpeakerPalette.Append(MissColor).Append(FalseAlarmColor).Append(ConfusionColor).Append(WaveformColor))
        {
            if (!IsHexColor(hex))
            {
                errors.Add($"colour '{hex}' is invalid: write #RRGGBB");
            }
        }
        if (FontPath is not null && !File.Exists(FontPath))
        {
            errors.Add($"FontPath {FontPath} does not exist: give a .ttf file, or leave it empty to use {FontFileName}");
        }
        return errors;
    }

    public void Validate()
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid timeline plot options: " + string.Join("; ", errors));
        }
    }

    /// <summary>The font file to draw with, or an error saying what to install.</summary>
    public string ResolveFontPath()
    {
        if (FontPath is not null)
        {
            return FontPath;
        }
        foreach (var folder in FontFolders)
        {
            var candidate = Path.Combine(folder, FontFileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"no font to draw text with: {FontFileName} is not in {string.Join(", ", FontFolders)}; " +
            "install it (Debian: apt-get install fonts-dejavu-core) or pass a .ttf as FontPath", FontFileName);
    }

    private static bool IsHexColor(string hex) =>
        hex.Length == 7 && hex[0] == '#' && !hex.AsSpan(1).ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
