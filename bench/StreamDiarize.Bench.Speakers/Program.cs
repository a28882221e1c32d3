// Calibrates and measures speaker identification on the real-voice conversations (docs/SPEAKERS.md):
//   dotnet run --project bench/StreamDiarize.Bench.Speakers -c Release -- [--data DIR] [--enroll-seconds 30]
// Each conversation: every speaker enrolled from its earliest reference turns (about --enroll-seconds of them); the
// audio after the last of those turns is diarized offline and its found speakers are compared with a gallery of the
// conversation's own profiles plus the profiles of speakers of other conversations who are not in it (impostors).
// The threshold is chosen on one half of the conversations and the rates are reported on the other half.
using System.Globalization;
using StreamDiarize.Audio;
using StreamDiarize.Core.Audio;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.Core.Speakers;
using StreamDiarize.Core.Streaming;
using StreamDiarize.Streaming;

var data = Arg("--data") ?? Path.Combine(FindRepo(), "..", "shared", "data", "real-dev");
double enrollSeconds = double.Parse(Arg("--enroll-seconds") ?? "30", CultureInfo.InvariantCulture);
string[] halfA = ["dev_2spk_3min", "dev_4spk_10min", "dev_6spk_20min"];
string[] halfB = ["dev_3spk_5min", "dev_5spk_10min", "dev_2spk_10min"];

var modeller = new FeatureVoiceModeller();
var diarizer = new DefaultDiarizer();
var namer = new SpeakerNamer(modeller);
var conversations = new List<Conversation>();
foreach (var id in halfA.Concat(halfB))
{
    conversations.Add(Prepare(id));
}
var gallery = conversations.SelectMany(c => c.Profiles).ToList();
foreach (var c in conversations)
{
    Score(c);
}

var grid = Enumerable.Range(1, 60).Select(i => i * 0.05).ToArray();
Console.WriteLine($"enrollment: earliest reference turns, about {enrollSeconds} s per speaker; threshold chosen on one half, reported on the other");
foreach (var (tuneIds, testIds, label) in new[] { (halfA, halfB, "tune A, test B"), (halfB, halfA, "tune B, test A") })
{
    var tune = conversations.Where(c => tuneIds.Contains(c.Id)).ToList();
    var test = conversations.Where(c => testIds.Contains(c.Id)).ToList();
    double best = grid.MinBy(t => Evaluate(tune, t).Objective);
    var onTune = Evaluate(tune, best);
    var onTest = Evaluate(test, best);
    Console.WriteLine($"{label}: threshold {best:F2} nats/frame");
    Console.WriteLine($"  tune half: {onTune}");
    Console.WriteLine($"  test half: {onTest}");
}
Console.WriteLine();
Console.WriteLine("threshold sweep over all six (identified / wrong name / missed of enrolled speakers; false accepts of unenrolled ones):");
foreach (double t in grid.Where((_, i) => i % 2 == 1))
{
    Console.WriteLine($"  {t:F2}: {Evaluate(conversations, t)}");
}
Console.WriteLine();
Console.WriteLine($"DER (collar 0.25) of the test parts at the default threshold {namer.Options.FeaturesThreshold:F2}, without and with profiles (split speakers joined):");
DerResult[] without = new DerResult[conversations.Count], with = new DerResult[conversations.Count];
for (int i = 0; i < conversations.Count; i++)
{
    var c = conversations[i];
    var decisions = namer.Decide(c.Speakers, c.Seconds, c.Distances, c.Gallery.Select(p => p.Name).ToArray(), namer.Options.FeaturesThreshold);
    var named = SpeakerNamer.Rename(c.Result, decisions);
    var options = new DerOptions { CollarSeconds = 0.25 };
    without[i] = DerScorer.Score(c.Id, c.Reference, c.Result.Segments, options);
    with[i] = DerScorer.Score(c.Id, c.Reference, named.Segments, options);
    Console.WriteLine($"  {c.Id}: {100 * without[i].Der:F2} % -> {100 * with[i].Der:F2} % ({c.Result.SpeakerCount} -> {named.SpeakerCount} speakers, reference {c.Reference.Select(r => r.Speaker).Distinct().Count()})");
}
Console.WriteLine($"  total: {100 * DerTotal.Of(without).Der:F2} % -> {100 * DerTotal.Of(with).Der:F2} %");
Console.WriteLine();
Console.WriteLine("DER (collar 0.25) of the test parts with the gallery's voices inside the clustering (kept apart, parts joined), then named:");
var anchored = new DerResult[conversations.Count];
for (int i = 0; i < conversations.Count; i++)
{
    var c = conversations[i];
    var known = c.Gallery.Select(p => ((GaussianVoiceModel)p.Model).Stats).ToList();
    var result = diarizer.Diarize(c.Clip, new SpeakerHints { KnownVoices = known });
    var named = namer.Name(c.Clip, result, c.Gallery);
    anchored[i] = DerScorer.Score(c.Id, c.Reference, named.Result.Segments, new DerOptions { CollarSeconds = 0.25 });
    var (plainRight, plainWrong) = NamedRightWrong(c, c.Result, namer.Name(c.Clip, c.Result, c.Gallery));
    var (right, wrong) = NamedRightWrong(c, result, named);
    Console.WriteLine($"  {c.Id}: {100 * with[i].Der:F2} % -> {100 * anchored[i].Der:F2} % ({result.SpeakerCount} found, {named.Result.SpeakerCount} after naming, reference {c.Reference.Select(r => r.Speaker).Distinct().Count()}; named right {plainRight} -> {right}, wrong {plainWrong} -> {wrong})");
}
Console.WriteLine($"  total: {100 * DerTotal.Of(with).Der:F2} % -> {100 * DerTotal.Of(anchored).Der:F2} %");
if (!Environment.GetCommandLineArgs().Contains("--live"))
{
    return 0;
}

// Live: the test parts through the live pipeline (1 s latency) with the profiles given, at the default threshold.
Console.WriteLine();
Console.WriteLine($"live (latency 1 s), threshold {namer.Options.FeaturesThreshold:F2}, every conversation:");
var factory = new DefaultSessionFactory();
var live = new Rates();
var delays = new List<double>();
var liveWithout = new List<DerResult>();
var liveWith = new List<DerResult>();
foreach (var c in conversations)
{
    var identified = new IdentifiedSink();
    var all = RunLive(c, c.Gallery, identified);
    CountLive(c, all.Segments, all.Events.Ledger.Names, null, live);
    foreach (var e in identified.Events)
    {
        delays.Add(e.StreamTimeSeconds - all.Segments.Where(s => s.Speaker == e.Speaker).Select(s => s.StartSeconds).DefaultIfEmpty(e.StreamTimeSeconds).Min());
    }
    foreach (var missing in c.SpeakerIds)
    {
        var run = RunLive(c, c.Gallery.Where(p => p.Name != $"{missing}@{c.Id}").ToList());
        CountLive(c, run.Segments, run.Events.Ledger.Names, missing, live);
    }
    var plain = RunLive(c, []);
    var derOptions = new DerOptions { CollarSeconds = 0.25 };
    liveWithout.Add(DerScorer.Score(c.Id, c.Reference, plain.Segments, derOptions));
    liveWith.Add(DerScorer.Score(c.Id, c.Reference, all.Segments, derOptions));
    Console.WriteLine($"  {c.Id}: named {string.Join(", ", all.Events.Ledger.Names.Select(kv => $"{kv.Key}={kv.Value}"))}; DER without profiles {100 * liveWithout[^1].Der:F2} %, with {100 * liveWith[^1].Der:F2} % ({plain.Segments.Select(t => t.Speaker).Distinct().Count()} -> {all.Segments.Select(t => t.Speaker).Distinct().Count()} speakers)");
}
Console.WriteLine($"  live DER total: without profiles {100 * DerTotal.Of(liveWithout).Der:F2} %, with {100 * DerTotal.Of(liveWith).Der:F2} %");
delays.Sort();
Console.WriteLine($"  {live}");
Console.WriteLine($"  seconds from a speaker's first turn to its name: median {delays[delays.Count / 2]:F1}, max {delays[^1]:F1} ({delays.Count} speakers named)");
return 0;

StreamingRunner.Result RunLive(Conversation c, List<VoiceProfile> profiles, IdentifiedSink? sink = null) =>
    StreamingRunner.RunAsync(c.Clip, factory, new SessionOptions { KnownSpeakers = profiles }, extraSinks: sink is null ? null : [sink]).GetAwaiter().GetResult();

void CountLive(Conversation c, List<SpeakerSegment> turns, IReadOnlyDictionary<string, string> names, string? missing, Rates rates)
{
    foreach (var h in turns.Select(t => t.Speaker).Distinct())
    {
        string truth = c.Reference.Select(r => r.Speaker).Distinct()
            .MaxBy(r => Overlap(turns.Where(x => x.Speaker == h), c.Reference.Where(x => x.Speaker == r)))!;
        double w = turns.Where(t => t.Speaker == h).Sum(t => t.DurationSeconds);
        string? name = names.GetValueOrDefault(h);
        if (missing is null)
        {
            rates.EnrolledSeconds += w;
            rates.IdentifiedSeconds += name == $"{truth}@{c.Id}" ? w : 0;
            rates.WrongSeconds += name is not null && name != $"{truth}@{c.Id}" ? w : 0;
        }
        else if (truth == missing)
        {
            rates.UnenrolledSeconds += w;
            rates.FalseAcceptSeconds += name is not null ? w : 0;
        }
    }
}

Conversation Prepare(string id)
{
    var clip = AudioLoader.LoadWav(Path.Combine(data, id + ".wav"));
    var reference = Rttm.ReadFile(Path.Combine(data, id + ".rttm"))[id];
    var speakers = reference.Select(r => r.Speaker).Distinct().ToList();
    double cutoff = 0;
    var profiles = new List<(string Speaker, VoiceProfile Profile)>();
    foreach (var s in speakers)
    {
        // The earliest turns of s that overlap no other turn, until about enrollSeconds of them.
        var turns = new List<SpeakerSegment>();
        double total = 0;
        foreach (var t in reference.Where(r => r.Speaker == s).OrderBy(r => r.StartSeconds))
        {
            if (total >= enrollSeconds)
            {
                break;
            }
            if (reference.Any(o => o.Speaker != s && o.StartSeconds < t.EndSeconds && o.EndSeconds > t.StartSeconds))
            {
                continue;
            }
            turns.Add(t);
            total += t.DurationSeconds;
            cutoff = Math.Max(cutoff, t.EndSeconds);
        }
        if (Environment.GetCommandLineArgs().Contains("--verbose"))
        {
            Console.WriteLine($"  {id} {s}: {turns.Count} turns, {total:F1} s");
        }
        // Modelled on the whole conversation's speech detection, restricted to these turns: as enrolling "S2 from 10 s to 40 s" of a session.
        var stats = modeller.ModelSpeakers(clip, turns)[s];
        double speech = stats.Count * modeller.HopSeconds;
        profiles.Add((s, new VoiceProfile($"{s}@{id}", FeatureVoiceModeller.KindName, new GaussianVoiceModel(stats), speech, 1, DateTimeOffset.UtcNow)));
    }
    int cut = Index(cutoff);
    var rest = new AudioClip(id + "-rest", clip.Samples[cut..], clip.SampleRateHz);
    var restReference = reference.Where(r => r.EndSeconds > cutoff)
        .Select(r => r with { StartSeconds = Math.Max(0, r.StartSeconds - cutoff), EndSeconds = r.EndSeconds - cutoff }).ToList();
    Console.WriteLine($"{id}: enrolled {string.Join(", ", profiles.Select(p => $"{p.Speaker} {p.Profile.SpeechSeconds:F0} s"))}; test part {rest.DurationSeconds:F0} s from {cutoff:F0} s");
    return new Conversation(id, rest, restReference, speakers, profiles);

    int Index(double seconds) => Math.Clamp((int)Math.Round(seconds * clip.SampleRateHz), 0, clip.Samples.Length);
}

void Score(Conversation c)
{
    c.Result = diarizer.Diarize(c.Clip);
    // The gallery: the conversation's own profiles and other conversations' speakers who do not speak in it.
    c.Gallery = gallery.Where(p => p.Name.EndsWith("@" + c.Id, StringComparison.Ordinal) || !c.SpeakerIds.Contains(p.Name.Split('@')[0])).ToList();
    var (speakers, seconds, distances) = namer.Score(c.Clip, c.Result.Segments, c.Gallery);
    c.Speakers = speakers;
    c.Seconds = seconds;
    c.Distances = distances;
    // Each found speaker's true voice: the reference speaker it overlaps most.
    c.Truth = speakers.Select(h => c.Reference.Select(r => r.Speaker).Distinct()
        .MaxBy(r => Overlap(c.Result.Segments.Where(x => x.Speaker == h), c.Reference.Where(x => x.Speaker == r)))!).ToArray();
    if (Environment.GetCommandLineArgs().Contains("--verbose"))
    {
        for (int i = 0; i < speakers.Count; i++)
        {
            var row = Enumerable.Range(0, c.Gallery.Count).OrderBy(j => distances[i, j]).Take(4).Select(j => $"{c.Gallery[j].Name} {distances[i, j]:F3}");
            Console.WriteLine($"  {c.Id} {speakers[i]} ({c.Truth[i]}, {seconds[i]:F0} s): {string.Join(", ", row)}");
        }
    }
}

// Found speakers named with their true voice's profile, and named with another's (truth: the reference speaker a found one overlaps most).
(int Right, int Wrong) NamedRightWrong(Conversation c, DiarizationResult result, NamedDiarization named)
{
    int right = 0, wrong = 0;
    foreach (var m in named.Speakers)
    {
        if (m.Name is not { } name)
        {
            continue;
        }
        string truth = c.Reference.Select(r => r.Speaker).Distinct()
            .MaxBy(r => Overlap(result.Segments.Where(x => x.Speaker == m.Speaker), c.Reference.Where(x => x.Speaker == r)))!;
        if (name == truth + "@" + c.Id)
        {
            right++;
        }
        else
        {
            wrong++;
        }
    }
    return (right, wrong);
}

Rates Evaluate(IEnumerable<Conversation> set, double threshold)
{
    var rates = new Rates();
    foreach (var c in set)
    {
        // Everyone enrolled: each found speaker should carry its true voice's name.
        Count(c, c.Gallery, threshold, null, rates);
        // Each speaker in turn not enrolled: its found speakers must stay anonymous (or take no one's name).
        foreach (var missing in c.SpeakerIds)
        {
            Count(c, c.Gallery.Where(p => p.Name != $"{missing}@{c.Id}").ToList(), threshold, missing, rates);
        }
    }
    return rates;
}

void Count(Conversation c, List<VoiceProfile> profiles, double threshold, string? missing, Rates rates)
{
    var columns = profiles.Select(p => c.Gallery.IndexOf(p)).ToArray();
    var d = new double[c.Speakers.Count, columns.Length];
    for (int i = 0; i < c.Speakers.Count; i++)
    {
        for (int j = 0; j < columns.Length; j++)
        {
            d[i, j] = c.Distances[i, columns[j]];
        }
    }
    var decisions = namer.Decide(c.Speakers, c.Seconds, d, profiles.Select(p => p.Name).ToArray(), threshold);
    for (int i = 0; i < decisions.Count; i++)
    {
        double w = c.Seconds[i];
        string truth = $"{c.Truth[i]}@{c.Id}";
        string? name = decisions[i].Name;
        if (missing is null)
        {
            rates.EnrolledSeconds += w;
            rates.IdentifiedSeconds += name == truth ? w : 0;
            rates.WrongSeconds += name is not null && name != truth ? w : 0;
        }
        else if (c.Truth[i] == missing)
        {
            rates.UnenrolledSeconds += w;
            rates.FalseAcceptSeconds += name is not null ? w : 0;
        }
    }
}

static double Overlap(IEnumerable<SpeakerSegment> a, IEnumerable<SpeakerSegment> b) =>
    a.Sum(x => b.Sum(y => Math.Max(0, Math.Min(x.EndSeconds, y.EndSeconds) - Math.Max(x.StartSeconds, y.StartSeconds))));

static string? Arg(string name)
{
    var args = Environment.GetCommandLineArgs();
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string FindRepo()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StreamDiarize.sln")))
    {
        dir = dir.Parent;
    }
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

sealed class Conversation(string id, AudioClip clip, List<SpeakerSegment> reference, List<string> speakerIds, List<(string Speaker, VoiceProfile Profile)> profiles)
{
    public string Id { get; } = id;
    public AudioClip Clip { get; } = clip;
    public List<SpeakerSegment> Reference { get; } = reference;
    public List<string> SpeakerIds { get; } = speakerIds;
    public IEnumerable<VoiceProfile> Profiles => profiles.Select(p => p.Profile);
    public DiarizationResult Result { get; set; } = null!;
    public List<VoiceProfile> Gallery { get; set; } = [];
    public IReadOnlyList<string> Speakers { get; set; } = [];
    public double[] Seconds { get; set; } = [];
    public double[,] Distances { get; set; } = new double[0, 0];
    public string[] Truth { get; set; } = [];
}

/// <summary>Rates weighted by the found speakers' speech seconds.</summary>
sealed class Rates
{
    public double EnrolledSeconds, IdentifiedSeconds, WrongSeconds, UnenrolledSeconds, FalseAcceptSeconds;
    public double Identified => IdentifiedSeconds / Math.Max(1e-9, EnrolledSeconds);
    public double Wrong => WrongSeconds / Math.Max(1e-9, EnrolledSeconds);
    public double FalseReject => 1 - Identified;
    public double FalseAccept => FalseAcceptSeconds / Math.Max(1e-9, UnenrolledSeconds);
    /// <summary>Naming the wrong person costs twice a missed name.</summary>
    public double Objective => FalseReject + Wrong + 2 * FalseAccept;
    public override string ToString() =>
        $"identified {100 * Identified:F1} %, wrong name {100 * Wrong:F1} %, missed {100 * (FalseReject - Wrong):F1} % (false reject {100 * FalseReject:F1} %), false accept {100 * FalseAccept:F1} % of unenrolled";
}

sealed class IdentifiedSink : StreamDiarize.Streaming.IEventSink
{
    public List<StreamDiarize.Core.Events.SpeakerIdentifiedEvent> Events { get; } = [];

    public ValueTask WriteAsync(StreamDiarize.Core.Events.DiarizationEvent e, CancellationToken cancellationToken)
    {
        if (e is StreamDiarize.Core.Events.SpeakerIdentifiedEvent identified)
        {
            Events.Add(identified);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask CompleteAsync(Exception? error, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
