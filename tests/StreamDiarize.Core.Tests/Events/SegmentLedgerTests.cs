// The ledger a session keeps for replays: turns, not pieces, and a bounded number of them.
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Segments;

namespace StreamDiarize.Core.Tests.Events;

public sealed class SegmentLedgerTests
{
    private static SegmentEvent Final(double start, double end, string speaker) => new(new SpeakerSegment(start, end, speaker), IsFinal: true);

    [Fact]
    public void Pieces_of_one_turn_are_one_entry_and_a_relabel_still_splits_it()
    {
        var ledger = new SegmentLedger();
        ledger.Apply(Final(0, 0.5, "S0"));
        ledger.Apply(Final(0.5, 1.0, "S0"));
        ledger.Apply(Final(1.0, 1.5, "S0"));
        ledger.Apply(Final(2.0, 2.5, "S0"));
        ledger.Apply(Final(2.5, 3.0, "S1"));

        Assert.Equal([new SpeakerSegment(0, 1.5, "S0"), new SpeakerSegment(2.0, 2.5, "S0"), new SpeakerSegment(2.5, 3.0, "S1")], ledger.Final);

        ledger.Apply(new RelabelEvent(3.0, 0.5, 1.0, "S0", "S2"));
        Assert.Equal(
            [new SpeakerSegment(0, 0.5, "S0"), new SpeakerSegment(0.5, 1.0, "S2"), new SpeakerSegment(1.0, 1.5, "S0"), new SpeakerSegment(2.0, 2.5, "S0"), new SpeakerSegment(2.5, 3.0, "S1")],
            ledger.Snapshot(includeProvisional: false));
        Assert.Equal(0.5, ledger.FinalSecondsChanged, 9);
    }

    [Fact]
    public void A_full_ledger_forgets_its_oldest_turns_and_counts_them()
    {
        var ledger = new SegmentLedger(maxFinalTurns: 16);
        for (int i = 0; i < 1000; i++)
        {
            // Alternating speakers: every piece is a turn of its own.
            ledger.Apply(Final(i, i + 1, i % 2 == 0 ? "S0" : "S1"));
        }

        Assert.InRange(ledger.Final.Count, 1, 16);
        Assert.Equal(new SpeakerSegment(999, 1000, "S1"), ledger.Final[^1]);
        Assert.Equal(1000 - ledger.Final.Count, ledger.ForgottenFinalTurns);
    }
}
