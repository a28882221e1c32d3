// What `mic` shows while it listens: a coloured block per half second of stream time, the current speaker, speaker news.
using System.Globalization;
using System.Text;
using StreamDiarize.Core.Events;
using StreamDiarize.Streaming;
using StreamDiarize.Streaming.Sinks;

namespace StreamDiarize.Cli.Live;

/// <summary>
/// On a terminal (<paramref name="ansi"/>): one timeline row per 30 s, redrawn in place, each block coloured by the
/// speaker current in that half second ('·' for silence), the current speaker after it, and news lines above.
/// Redirected: the plain event lines of <see cref="ConsoleEventSink"/>, no escape codes.
/// </summary>
public sealed class LiveTerminalView(TextWriter writer, bool ansi) : IEventSink
{
    public const double BlockSeconds = 0.5;
    private const int BlocksPerRow = 60;
    private static readonly int[] Palette = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

    private readonly Dictionary<string, int> _colours = [];
    private readonly StringBuilder _row = new();
    private string? _current;
    private long _blocksDrawn;
    private int _blocksInRow;

    public ValueTask WriteAsync(DiarizationEvent diarizationEvent, CancellationToken cancellationToken)
    {
        if (!ansi)
        {
            if (ConsoleEventSink.Format(diarizationEvent, includeProvisional: false) is { } line)
            {
                writer.WriteLine(line);
            }
            return ValueTask.CompletedTask;
        }
        Advance(diarizationEvent.StreamTimeSeconds);
        switch (diarizationEvent)
        {
            case SpeakerChangeEvent change:
                _current = change.To;
                break;
            case SpeakerAddedEvent added:
                News($"{Label(added.Speaker)} joined at {added.StreamTimeSeconds.ToString("F1", CultureInfo.InvariantCulture)} s");
                break;
            case MergeEvent merge:
                News($"{Label(merge.From)} is {Label(merge.Into)}");
                break;
            case SessionEndedEvent end:
                News(ConsoleEventSink.Format(end) ?? "");
                break;
        }
        Redraw();
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken)
    {
        if (ansi)
        {
            writer.WriteLine();
        }
        writer.Flush();
        return ValueTask.CompletedTask;
    }

    /// <summary>The speaker's name in its colour; colours are handed out in order of appearance.</summary>
    public string Label(string speaker) => $"\u001b[{Colour(speaker)}m{speaker}\u001b[0m";

    private int Colour(string speaker)
    {
        if (!_colours.TryGetValue(speaker, out int colour))
        {
            colour = Palette[_colours.Count % Palette.Length];
            _colours[speaker] = colour;
        }
        return colour;
    }

    /// <summary>Fills the blocks up to <paramref name="seconds"/> with the current speaker; time never goes back.</summary>
    private void Advance(double seconds)
    {
        long target = (long)Math.Floor(seconds / BlockSeconds);
        while (_blocksDrawn < target)
        {
            if (_blocksInRow == BlocksPerRow)
            {
                writer.Write("\r" + RowText() + "\u001b[K\n");
                _row.Clear();
                _blocksInRow = 0;
            }
            _row.Append(_current is null ? "\u001b[2m·\u001b[0m" : $"\u001b[{Colour(_current)}m█\u001b[0m");
            _blocksInRow++;
            _blocksDrawn++;
        }
    }

    private string RowText()
    {
        double rowStart = (_blocksDrawn - _blocksInRow) * BlockSeconds;
        var stamp = TimeSpan.FromSeconds(rowStart).ToString(@"mm\:ss", CultureInfo.InvariantCulture);
        return $"{stamp} {_row}";
    }

    private void News(string text) => writer.Write($"\r\u001b[K  {text}\n");

    private void Redraw()
    {
        var now = _current is null ? "\u001b[2m(silence)\u001b[0m" : Label(_current);
        writer.Write($"\r{RowText()}  {now}\u001b[K");
        writer.Flush();
    }
}
