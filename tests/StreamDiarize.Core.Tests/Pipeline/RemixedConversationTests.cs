// New conversations of the development voices, laid out by the real-dev generator (research/round4/remix.py): the
// offline count on combinations the settings were not chosen on.
using StreamDiarize.Audio;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Scoring;
using StreamDiarize.Core.Segments;
using StreamDiarize.TestSupport;
using Xunit.Abstractions;

namespace StreamDiarize.Core.Tests.Pipeline;

public sealed class RemixedConversationTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    [SkippableFact]
    public async Task Random_draws_of_the_voices_get_their_speaker_count_exactly_offline()
    {
        // Round 13 (docs/ACCURACY.md): the first four of the twelve random draws (3, 7, 4 and 7 voices, 4-9 minutes),
        // made after the settings were chosen; recorded 2.48-3.48 % each, every count exact.
        string generator = Path.Combine(RepoPaths.Shared, "tools", "make_conversations.py");
        string? problem = !File.Exists(Python) ? $"{Python} is missing: apt-get install python3 python3-numpy"
            : !File.Exists(generator) ? $"{generator} is missing: ../shared must sit beside the repository"
            : null;
        if (problem is null)
        {
            var (numpy, _, err) = await ChildProcess.RunAsync(Python, ["-c", "import numpy"], timeout: TimeSpan.FromSeconds(30));
            problem = numpy == 0 ? null : $"{Python} cannot import numpy ({err.Trim()}): apt-get install python3-numpy";
        }
        if (problem is not null && InCi)
        {
            Assert.Fail("CI=true and " + problem);
        }
        Skip.If(problem is not null, problem);

        string dir = RepoPaths.NewTempDir();
        try
        {
            var (code, stdout, stderr) = await ChildProcess.RunAsync(Python,
                [Path.Combine(RepoPaths.RepoRoot, "research", "round4", "remix.py"), RepoPaths.RealDevDir, dir, "4"],
                timeout: TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"remix.py failed ({code}): {stdout}{stderr}");
            var options = new DerOptions { CollarSeconds = 0.25 };
            double errors = 0, scored = 0;
            foreach (var wav in Directory.GetFiles(Path.Combine(dir, "real-dev"), "*.wav").Order())
            {
                var clip = AudioLoader.LoadWav(wav);
                var reference = Rttm.ReadFile(Path.ChangeExtension(wav, ".rttm"))[clip.Id];
                int speakers = reference.Select(s => s.Speaker).Distinct().Count();
                var result = new DefaultDiarizer().Diarize(clip);
                var der = DerScorer.Score(clip.Id, reference, result.Segments, options);
                output.WriteLine($"{clip.Id}: {100 * der.Der:F2} %, {result.SpeakerCount} found for {speakers}");
                Assert.Equal(speakers, result.SpeakerCount);
                errors += der.ErrorSeconds;
                scored += der.ScoredSeconds;
            }
            output.WriteLine($"total {100 * errors / scored:F2} %");
            Assert.True(scored > 1000, $"{scored:F0} s scored");
            Assert.InRange(100 * errors / scored, 0, 2.8 + 2);
        }
        finally
        {
            RepoPaths.DeleteTempDir(dir);
        }
    }
}
