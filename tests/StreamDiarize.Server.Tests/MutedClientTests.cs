// A client that sends zeros while its user is muted, through the real daemon on loopback: a real conversation is
// diarized as it is offline, and no turn is found in the zeros (docs/ACCURACY.md, round 21).
using StreamDiarize.Audio;
using StreamDiarize.Contracts;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Server.Tests;

public sealed class MutedClientTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_that_sends_zeros_while_muted_gets_the_conversations_voices_and_no_turn_in_the_zeros()
    {
        // Before round 21 the zeros set the live detector's floor at -100 dB and the room's noise became speech:
        // 14.95 % and 3 ids for this conversation's 4 voices through the live pipeline (2.32 % unmuted).
        const string id = "dev_4spk_10min";
        var clip = AudioLoader.LoadWav(RepoPaths.RealDev(id + ".wav"));
        var reference = Rttm.ReadFile(RepoPaths.RealDev(id + ".rttm"))[id];
        var (muted, mutedReference) = MutedAudio.Muted(clip, reference, every: 100, gap: 20);
        var offline = new DefaultDiarizer().Diarize(muted);
        await using var daemon = await DaemonHost.StartAsync(null);

        var events = await TestAudio.DiarizeAsync(daemon, muted, TestAudio.F32Config("muted"));
        var ledger = new SegmentLedger();
        foreach (var e in events.Skip(1).Where(e => e.EventCase != DiarizeEvent.EventOneofCase.SessionEnded))
        {
            if (EventMapping.ToCore(e) is { } core)
            {
                ledger.Apply(core);
            }
        }
        var turns = ledger.Final;
        var options = new DerOptions { CollarSeconds = 0.25 };
        double liveDer = 100 * DerScorer.Score(id, mutedReference, turns, options).Der;
        double offlineDer = 100 * DerScorer.Score(id, mutedReference, offline.Segments, options).Der;
        int voices = turns.Select(t => t.Speaker).Distinct().Count();
        int added = events.Count(e => e.EventCase == DiarizeEvent.EventOneofCase.SpeakerAdded);
        output.WriteLine($"{id} muted 20 s every 100 s: daemon {liveDer:F2} % ({voices} voices in the final turns, {added} ids), offline {offlineDer:F2} %");

        Assert.Equal(4, offline.SpeakerCount);
        Assert.Equal(4, voices);
        Assert.InRange(added, 4, 6);
        Assert.InRange(liveDer, 0, offlineDer + 3);
        Assert.DoesNotContain(turns, t => MutedAudio.InMute(t, every: 100, gap: 20));
    }
}
