// The live page opened in a real browser while someone is already speaking: it names the speaker at once, not "silence".
using System.Diagnostics;
using StreamDiarize.Protocol.V1;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Server.Tests;

public sealed class LivePageMidSessionTests
{
    [SkippableFact]
    public async Task A_page_opened_mid_turn_shows_who_is_speaking_before_any_new_change_arrives()
    {
        HeadlessChromium.Require();
        // One long turn: S0 starts speaking at 0 s and no other SpeakerChange follows for 1000 s of audio.
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(turnFrames: 100_000));
        using var call = await TestAudio.OpenSessionAsync(daemon, "mid-turn", 3);
        var first = new List<DiarizeEvent>();
        while (!first.Any(e => e.SpeakerChange is { ToSpeaker: "S0" }))
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the session ended before S0 spoke");
            first.Add(call.ResponseStream.Current);
        }

        string url = $"http://127.0.0.1:{daemon.HttpPort}/session.html?id=mid-turn";
        await using var browser = await HeadlessChromium.OpenAsync(url);
        var clock = Stopwatch.StartNew();
        string speaker = "", text = "";
        while (speaker != "S0")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30),
                $"the page opened mid-turn never named the speaker: it shows '{text}' (current speaker '{speaker}')");
            await Task.Delay(200);
            var state = await browser.EvaluateAsync(
                "document.readyState === 'complete' && document.getElementById('current') ? [document.getElementById('current').dataset.speaker || '', document.getElementById('current-text').textContent] : ['', '']");
            speaker = state[0].GetString()!;
            text = state[1].GetString()!;
        }
        Assert.Equal("S0 speaking", text);
        await call.RequestStream.CompleteAsync();
    }
}
