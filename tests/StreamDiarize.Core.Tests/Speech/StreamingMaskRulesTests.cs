// The region rules applied live: over the whole clip they are the offline rules, and with a lookahead longer than
// gap filling every committed decision is the one the whole clip gives, and never changes.
using StreamDiarize.Core.Speech;

namespace StreamDiarize.Core.Tests.Speech;

public class StreamingMaskRulesTests
{
    private static readonly EnergySpeechDetectorOptions Rules = new();

    /// <summary>Raw decisions in runs of 1 to 250 frames, alternately speech and not (seeded).</summary>
    private static bool[] RawRuns(int frames, int seed)
    {
        var random = new Random(seed);
        var raw = new bool[frames];
        bool speech = false;
        for (int i = 0; i < frames;)
        {
            int run = random.Next(1, 251);
            raw.AsSpan(i, Math.Min(run, frames - i)).Fill(speech);
            i += run;
            speech = !speech;
        }
        return raw;
    }

    private static bool[] Offline(bool[] raw)
    {
        var mask = (bool[])raw.Clone();
        EnergySpeechDetector.PostProcess(mask, [], Rules with { VoicingGate = false });
        return mask;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void With_the_whole_clip_as_lookahead_it_is_the_offline_mask(int seed)
    {
        var raw = RawRuns(3000, seed);
        var rules = new StreamingMaskRules(Rules, lookaheadFrames: raw.Length, retainedFrames: raw.Length, decideAsFramesArrive: false);
        foreach (bool r in raw)
        {
            rules.Add(r);
        }
        Assert.Equal(0, rules.Committed);
        rules.Finish();

        Assert.Equal(raw.Length, rules.Committed);
        Assert.Equal(Offline(raw), Enumerable.Range(0, raw.Length).Select(f => rules.IsSpeech(f)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Live_with_three_seconds_of_lookahead_commits_the_offline_decisions(int seed)
    {
        var raw = RawRuns(6000, seed);
        var rules = new StreamingMaskRules(Rules, lookaheadFrames: 300, retainedFrames: 500);
        var atCommit = new bool[raw.Length];
        long seen = 0;
        foreach (bool r in raw)
        {
            rules.Add(r);
            Assert.InRange(rules.Committed, rules.Received - 305, rules.Received);
            for (; seen < rules.Committed; seen++)
            {
                atCommit[seen] = rules.IsSpeech(seen);
            }
        }
        rules.Finish();
        for (; seen < rules.Committed; seen++)
        {
            atCommit[seen] = rules.IsSpeech(seen);
        }

        Assert.Equal(Offline(raw), atCommit);
    }
}
