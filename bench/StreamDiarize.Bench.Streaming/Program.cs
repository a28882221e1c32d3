// Drives one live session for a long time, faster than real time, on one thread: 100 ms chunks through the default
// analyzer and the online diarizer, timing each chunk. The audio is the twelve AMI clips looped, each loop with its own
// gain, so no two hours are sample-identical. Prints a markdown table for docs/BENCHMARKS.md.
using System.Diagnostics;
using StreamDiarize.Audio;
using StreamDiarize.Core.Events;
using StreamDiarize.Core.Features;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Streaming;

if (args.Length > 0 && args[0] == "stability")
{
    var first = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : new OnlineDiarizerOptions().FirstReclusterWindows;
    return Stability.Run(args.Length > 1 ? args[1] : Path.Combine("..", "shared", "data", "ami"), new OnlineDiarizerOptions { FirstReclusterWindows = first });
}
var hours = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1.0;
var amiDir = args.Length > 1 ? args[1] : Path.Combine("..", "shared", "data", "ami");
var clips = Directory.GetFiles(amiDir, "*.wav").Order(StringComparer.Ordinal).Select(p => AudioLoader.LoadWav(p).Samples).ToArray();
if (clips.Length == 0)
{
    Console.Error.WriteLine($"no WAV files in {amiDir}: pass the AMI folder as the second argument");
    return 2;
}

const int Rate = 16000;
const int Chunk = 1600; // 100 ms
long totalChunks = (long)(hours * 3600 * Rate / Chunk);
// Third argument: "windows" for the window representation's live diarizer (the default before round 4), "nosplit" for
// it without live recursive splitting, or a number for its new-speaker distance; none runs the default (segments).
string mode = args.Length > 2 ? args[2] : "segments";
var stages = mode == "segments" ? new DefaultDiarizerOptions() : new DefaultDiarizerOptions { Representation = SpeakerRepresentation.Windows };
var analyzer = new DefaultFrameAnalyzer(stages);
var online = mode switch
{
    "segments" or "windows" => new OnlineDiarizerOptions(),
    "nosplit" => new OnlineDiarizerOptions { RecursiveSplitting = false },
    _ => new OnlineDiarizerOptions { NewSpeakerDistance = double.Parse(mode, System.Globalization.CultureInfo.InvariantCulture) },
};
IFrameDiarizer diarizer = mode == "segments"
    ? new SegmentOnlineDiarizer(stages, online, new SessionOptions())
    : new OnlineDiarizer(stages, online, new SessionOptions());
// What one re-clustering sees: windows and pre-clusters, or remembered segments.
int ReclusterSize() => diarizer is OnlineDiarizer w ? w.LastReclusterSize : ((SegmentOnlineDiarizer)diarizer).RememberedSegments;
int Reclusterings() => diarizer is OnlineDiarizer w ? w.Reclusterings : ((SegmentOnlineDiarizer)diarizer).Reclusterings;
var sink = new DiarizerSink(diarizer);
var chunk = new float[Chunk];
var checkpoints = new SortedSet<long> { 600, 36000, 8 * 36000, totalChunks };
var latencies = new List<double>();
long clipIndex = 0, offset = 0;
double gain = 1;
var total = Stopwatch.StartNew();
double computeSeconds = 0;
long baseline = GC.GetTotalMemory(true);
Console.WriteLine("| audio | chunks timed | p50 chunk ms | p99 chunk ms | max chunk ms | RTF (compute / audio) | managed heap MB | working set MB | re-cluster size | relabels/h | merges/h |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (long c = 1; c <= totalChunks; c++)
{
    // Fill the next 100 ms from the looped clips.
    for (int i = 0; i < Chunk; i++)
    {
        var clip = clips[clipIndex % clips.Length];
        chunk[i] = (float)(clip[offset] * gain);
        if (++offset == clip.Length)
        {
            offset = 0;
            clipIndex++;
            gain = 0.5 + 0.5 * ((clipIndex * 7919) % 11) / 10.0;
        }
    }
    long t0 = Stopwatch.GetTimestamp();
    analyzer.Push(chunk, sink);
    double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    computeSeconds += ms / 1000;
    latencies.Add(ms);
    if (checkpoints.Contains(c) || (c % 36000 == 0))
    {
        double audioHours = c * 0.1 / 3600;
        var sorted = latencies.Order().ToArray();
        long heap = GC.GetTotalMemory(true) - baseline;
        var proc = Process.GetCurrentProcess();
        string label = c < 36000 ? $"{c * 0.1 / 60:F0} min" : $"{audioHours:F0} h";
        Console.WriteLine($"| {label} | {sorted.Length} | {P(sorted, 50):F3} | {P(sorted, 99):F3} | {sorted[^1]:F1} | {computeSeconds / (c * 0.1):F4} | {heap / 1048576.0:F1} | {proc.WorkingSet64 / 1048576.0:F0} | {ReclusterSize()} | {sink.Relabels / Math.Max(audioHours, 1e-9):F1} | {sink.Merges / Math.Max(audioHours, 1e-9):F1} |");
        latencies.Clear();
    }
}
// The end of the stream: the analyzer's tail and the diarizer's last re-clustering, end-of-stream correction included
// (with Streaming:FinalSessionFloor, every remembered distance recomputed once on the session's floor).
long end0 = Stopwatch.GetTimestamp();
analyzer.Flush(sink);
var endEvents = new List<DiarizationEvent>();
diarizer.Complete(endEvents);
double endMs = Stopwatch.GetElapsedTime(end0).TotalMilliseconds;
Console.WriteLine();
Console.WriteLine($"total wall {total.Elapsed.TotalSeconds:F1} s for {hours:F2} h of audio; re-clusterings {Reclusterings()}; speakers added {sink.SpeakersAdded}; final pieces {sink.FinalPieces}");
Console.WriteLine($"end of stream (flush and complete): {endMs:F0} ms, {endEvents.Count(e => e is RelabelEvent)} Relabel and {endEvents.Count(e => e is MergeEvent)} Merge events");
return 0;

static double P(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

sealed class DiarizerSink(IFrameDiarizer diarizer) : IFrameSink
{
    private readonly List<DiarizationEvent> _events = new(64);

    public long Relabels { get; private set; }

    public long Merges { get; private set; }

    public long SpeakersAdded { get; private set; }

    public long FinalPieces { get; private set; }

    public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
    {
        diarizer.OnFrame(frameIndex, features, _events);
        if (_events.Count == 0)
        {
            return;
        }
        foreach (var e in _events)
        {
            switch (e)
            {
                case RelabelEvent: Relabels++; break;
                case MergeEvent: Merges++; break;
                case SpeakerAddedEvent: SpeakersAdded++; break;
                case SegmentEvent { IsFinal: true }: FinalPieces++; break;
            }
        }
        _events.Clear();
    }
}

/// <summary>On each AMI clip: how many final turns were changed later by Relabel or Merge.</summary>
static class Stability
{
    public static int Run(string amiDir, OnlineDiarizerOptions online)
    {
        Console.WriteLine("| clip | final turns | final speech s | speech s relabelled later | relabel events | merge events |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        int turns = 0, relabels = 0, merges = 0;
        double speech = 0, changed = 0;
        foreach (var path in Directory.GetFiles(amiDir, "*.wav").Order(StringComparer.Ordinal))
        {
            var clip = AudioLoader.LoadWav(path);
            var stages = new DefaultDiarizerOptions();
            var analyzer = new DefaultFrameAnalyzer(stages);
            var diarizer = new DefaultSessionFactory(stages, online).Create(new SessionOptions()).Diarizer;
            var ledger = new SegmentLedger();
            var sink = new LedgerSinkAdapter(diarizer, ledger);
            analyzer.Push(clip.Samples, sink);
            analyzer.Flush(sink);
            var tail = new List<DiarizationEvent>();
            diarizer.Complete(tail);
            foreach (var e in tail)
            {
                sink.Count(e);
                ledger.Apply(e);
            }
            var finalTurns = ledger.Snapshot(includeProvisional: false);
            double seconds = finalTurns.Sum(t => t.DurationSeconds);
            Console.WriteLine($"| {clip.Id} | {finalTurns.Count} | {seconds:F1} | {ledger.FinalSecondsChanged:F1} | {sink.Relabels} | {sink.Merges} |");
            turns += finalTurns.Count; speech += seconds; changed += ledger.FinalSecondsChanged; relabels += sink.Relabels; merges += sink.Merges;
        }
        Console.WriteLine($"| **total** | {turns} | {speech:F1} | {changed:F1} ({100.0 * changed / Math.Max(1e-9, speech):F1} %) | {relabels} | {merges} |");
        return 0;
    }

    private sealed class LedgerSinkAdapter(IFrameDiarizer diarizer, SegmentLedger ledger) : IFrameSink
    {
        private readonly List<DiarizationEvent> _events = [];

        public int Relabels { get; private set; }

        public int Merges { get; private set; }

        public void Count(DiarizationEvent e)
        {
            if (e is RelabelEvent)
            {
                Relabels++;
            }
            else if (e is MergeEvent)
            {
                Merges++;
            }
        }

        public void OnFrame(long frameIndex, ReadOnlySpan<float> features)
        {
            diarizer.OnFrame(frameIndex, features, _events);
            foreach (var e in _events)
            {
                Count(e);
                ledger.Apply(e);
            }
            _events.Clear();
        }
    }
}
