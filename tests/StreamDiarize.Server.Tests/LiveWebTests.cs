// The live page's HTTP side on the real daemon: the session list, the Server-Sent Events stream, 404s, and the page's self-contained assets.
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using StreamDiarize.Protocol.V1;
using StreamDiarize.Server.Web;

namespace StreamDiarize.Server.Tests;

public sealed partial class LiveWebTests
{
    private static HttpClient Http(DaemonHost daemon) => new() { BaseAddress = new Uri($"http://127.0.0.1:{daemon.HttpPort}/"), Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Api_sessions_lists_a_live_session_with_its_id_start_time_audio_seconds_and_speakers()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = await TestAudio.OpenSessionAsync(daemon, "on-screen", 3);
        // All 3 s received and both scripted speakers seen (on a loaded machine the last chunk can still be on its way).
        await TestAudio.WaitForAsync(() => daemon.Registry.TryGet("on-screen", out var s) && s.SpeakersSoFar == 2 && s.Audio.SecondsReceived >= 3);
        using var http = Http(daemon);

        using var list = JsonDocument.Parse(await http.GetStringAsync("api/sessions"));

        var session = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal("on-screen", session.GetProperty("id").GetString());
        Assert.InRange(session.GetProperty("startTime").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.Equal(3.0, session.GetProperty("audioSeconds").GetDouble(), 3);
        Assert.Equal(2, session.GetProperty("speakers").GetInt32());
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task The_event_stream_replays_the_final_segments_so_far_then_streams_liveEventsevents_as_json_to_SessionEnded()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var call = await TestAudio.OpenSessionAsync(daemon, "sse", 3);
        var clientEvents = new List<DiarizeEvent>();
        // Until the session is quiet: all 3 s processed (six final turns) and the scripted Relabel at 2.5 s seen, so the
        // snapshot below and the replay are of the same past. Snapshotting after three turns raced the Relabel on a
        // loaded machine (the replay was taken after it, the snapshot before).
        while (clientEvents.Count(e => e.Segment is { IsFinal: true }) < 6 || !clientEvents.Any(e => e.EventCase == DiarizeEvent.EventOneofCase.Relabel))
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            clientEvents.Add(call.ResponseStream.Current);
        }
        Assert.True(daemon.Registry.TryGet("sse", out var live));
        using var http = Http(daemon);

        using var response = await http.GetAsync("api/sessions/sse/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var started = await ReadEventAsync(reader);
        Assert.Equal("started", started.GetProperty("kind").GetString());
        Assert.Equal("sse", started.GetProperty("sessionId").GetString());
        // The replay: every final turn so far, as final segment events, before anything live.
        foreach (var expected in live.FinalSegments())
        {
            var replayed = await ReadEventAsync(reader);
            Assert.Equal("segment", replayed.GetProperty("kind").GetString());
            Assert.True(replayed.GetProperty("final").GetBoolean());
            Assert.Equal(expected.Speaker, replayed.GetProperty("speaker").GetString());
            Assert.Equal(expected.StartSeconds, replayed.GetProperty("start").GetDouble(), 3);
            Assert.Equal(expected.EndSeconds, replayed.GetProperty("end").GetDouble(), 3);
        }

        var more = TestAudio.Noise(2, seed: 9);
        for (int start = 0; start < more.Samples.Length; start += 1600)
        {
            await call.RequestStream.WriteAsync(TestAudio.Chunk(more.Samples.AsSpan(start, 1600)));
        }
        await call.RequestStream.CompleteAsync();
        var liveEvents = new List<JsonElement>();
        do
        {
            liveEvents.Add(await ReadEventAsync(reader));
        }
        while (liveEvents[^1].GetProperty("kind").GetString() != "ended");
        clientEvents.AddRange(await TestAudio.ReadAllAsync(call.ResponseStream));

        var kinds = liveEvents.Select(e => e.GetProperty("kind").GetString()).ToHashSet();
        Assert.Contains("segment", kinds);
        Assert.Contains("change", kinds);
        Assert.All(liveEvents, e => Assert.True(e.GetProperty("time").GetDouble() >= 0));
        var ended = liveEvents[^1];
        var clientEnded = clientEvents[^1].SessionEnded;
        Assert.Equal(clientEnded.SegmentCount, ended.GetProperty("segmentCount").GetInt32());
        Assert.Equal(clientEnded.Speakers, ended.GetProperty("speakers").GetInt32());
        // The stream ends with the session: only the blank line closing the last event is left.
        Assert.Equal("", (await reader.ReadToEndAsync()).Trim());
    }

    [Fact]
    public async Task A_browser_that_falls_behind_is_told_how_many_events_it_lost_while_the_session_runs_at_full_speed()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory(turnFrames: 1), ("Server:WatcherBufferEvents", "8"));
        using var call = daemon.Client.Diarize();
        await call.RequestStream.WriteAsync(new DiarizeRequest { Config = TestAudio.F32Config("slow-screen") });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        using var http = Http(daemon);
        using var response = await http.GetAsync("api/sessions/slow-screen/events", HttpCompletionOption.ResponseHeadersRead);
        await TestAudio.WaitForAsync(() => daemon.Registry.TryGet("slow-screen", out var s) && s.WatcherCount == 1);

        // The page reads nothing while 30 s of audio (about 6000 events) go through.
        var clip = TestAudio.Noise(30);
        var sending = Task.Run(async () =>
        {
            for (int start = 0; start < clip.Samples.Length; start += 1600)
            {
                await call.RequestStream.WriteAsync(TestAudio.Chunk(clip.Samples.AsSpan(start, 1600)));
            }
            await call.RequestStream.CompleteAsync();
        });
        var clientEvents = await TestAudio.ReadAllAsync(call.ResponseStream);
        await sending;
        Assert.Equal(DiarizeEvent.EventOneofCase.SessionEnded, clientEvents[^1].EventCase);

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        long dropped = 0;
        while (true)
        {
            var e = await ReadEventAsync(reader);
            string? kind = e.GetProperty("kind").GetString();
            dropped += kind == "dropped" ? e.GetProperty("count").GetInt64() : 0;
            if (kind == "ended")
            {
                break;
            }
        }
        Assert.True(dropped > 0, "the stalled page was never told it lost events");
    }

    [Fact]
    public async Task An_unknown_session_id_gets_404_with_a_json_error_that_says_where_to_find_the_ids()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var http = Http(daemon);

        using var response = await http.GetAsync("api/sessions/nobody/events");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("/api/sessions", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_root_serves_the_sessions_page_and_every_asset_it_links_with_no_external_urls()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var http = Http(daemon);

        var index = await http.GetAsync("");
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("api/sessions", await http.GetStringAsync("sessions.js"), StringComparison.Ordinal);
        Assert.Contains("live.js", await http.GetStringAsync("session.html"), StringComparison.Ordinal);

        Assert.NotEmpty(WebAssets.Paths);
        foreach (var path in WebAssets.Paths)
        {
            using var response = await http.GetAsync(path.TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string text = await response.Content.ReadAsStringAsync();
            Assert.False(ExternalReference().IsMatch(text), $"{path} loads something from the network: {ExternalReference().Match(text).Value}");
            foreach (Match link in LocalReference().Matches(text))
            {
                // Every local file a page names is served too.
                Assert.Contains("/" + link.Groups[1].Value, WebAssets.Paths);
            }
        }
    }

    [Fact]
    public async Task The_page_and_its_api_are_not_served_on_the_grpc_port()
    {
        await using var daemon = await DaemonHost.StartAsync(new ScriptedSessionFactory());
        using var http = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await http.GetAsync($"http://127.0.0.1:{daemon.GrpcPort}/api/sessions");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The next "data:" event of a text/event-stream, parsed.</summary>
    internal static async Task<JsonElement> ReadEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var doc = JsonDocument.Parse(line["data: ".Length..]);
                return doc.RootElement.Clone();
            }
        }
        throw new EndOfStreamException("the event stream ended before the next event");
    }

    // src=, href=, url(), fetch() or EventSource() pointing at another host; the SVG namespace name is a name, not a fetch.
    [GeneratedRegex("""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|(?:fetch|EventSource|import)\s*\(\s*[`"'](?:https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [GeneratedRegex("""(?:src|href)="([\w.-]+\.(?:js|css|html))""")]
    private static partial Regex LocalReference();
}
