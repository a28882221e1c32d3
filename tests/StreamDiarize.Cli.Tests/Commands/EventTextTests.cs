// How `stream` and `watch` print a session: merged turns by default, every event in words and in time order with --raw-events.
using StreamDiarize.Cli.Commands;
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Cli.Tests.Commands;

public sealed class EventTextTests
{
    private static DiarizeEvent Final(double start, double end, string speaker) =>
        new() { StreamTimeSeconds = end, Segment = new Segment { StartSeconds = start, EndSeconds = end, Speaker = speaker, IsFinal = true } };

    private static DiarizeEvent Change(double at, string from, string to) =>
        new() { StreamTimeSeconds = at, SpeakerChange = new SpeakerChange { FromSpeaker = from, ToSpeaker = to } };

    private static readonly DiarizeEvent[] Session =
    [
        new() { SessionStarted = new SessionStarted { SessionId = "room", EffectiveConfig = new SessionConfig { LatencySeconds = 1 } } },
        Change(0.1, "", "S0"),
        Final(0.1, 0.6, "S0"),
        Final(0.6, 1.1, "S0"),
        Change(3.0, "S0", "S1"),
        Final(1.1, 1.5, "S0"), // a piece made final one latency late: stamped earlier than the change before it
        Final(3.0, 3.5, "S1"),
        new() { StreamTimeSeconds = 4, Merge = new Merge { FromSpeaker = "S1", IntoSpeaker = "S0" } },
        new() { StreamTimeSeconds = 4, SessionEnded = new SessionEnded { Speakers = 1, SpeechSeconds = 1.9, SegmentCount = 4 } },
    ];

    private static string[] Print(bool raw)
    {
        using var output = new StringWriter();
        var text = new EventText(output, raw);
        foreach (var e in Session)
        {
            text.Show(e);
        }
        text.Flush();
        return output.ToString().TrimEnd().Split('\n');
    }

    [Fact]
    public void Turns_mode_joins_a_speakers_pieces_into_one_line_per_turn_and_names_merges()
    {
        var lines = Print(raw: false);
        Assert.StartsWith("session room started: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("final after 1 s", lines[0], StringComparison.Ordinal);
        Assert.Equal("    0.10 -     1.50  S0        1.4 s", lines[1]);
        Assert.Contains("S1 is S0", lines[2], StringComparison.Ordinal);
        // The open S1 turn is printed under the id it was merged into.
        Assert.Equal("    3.00 -     3.50  S0        0.5 s", lines[3]);
        Assert.Contains("ended", lines[4], StringComparison.Ordinal);
        Assert.Equal(5, lines.Length);
    }

    [Fact]
    public void Raw_mode_prints_every_event_in_words_with_times_that_never_go_back()
    {
        var lines = Print(raw: true);
        Assert.Equal(Session.Length, lines.Length);
        var times = lines.Select(l => double.Parse(l[..8], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Order(), times);
        Assert.Equal("    3.00  final turn S0 1.10-1.50 s", lines[5]);
        Assert.Equal("    3.00  S1 speaking (after S0)", lines[4]);
        Assert.DoesNotContain(lines, l => l.Contains('{', StringComparison.Ordinal));
    }
}
