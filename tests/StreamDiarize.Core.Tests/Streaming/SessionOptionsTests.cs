// A session's choices are checked once, each problem keyed by its setting, so every surface can name the setting its way.
using StreamDiarize.Core.Options;
using StreamDiarize.Core.Pipeline;
using StreamDiarize.Core.Streaming;

namespace StreamDiarize.Core.Tests.Streaming;

public class SessionOptionsTests
{
    [Fact]
    public void Every_problem_is_keyed_by_the_setting_it_is_about()
    {
        var options = new SessionOptions { LatencySeconds = 0.1, ExactSpeakers = 0, MinSpeakers = 30, MaxSpeakers = 20, Embedder = "", SpeechDetector = ":x" };

        var keys = options.GetSettingErrors().Select(e => e.Key).ToList();

        Assert.Equal(
            // Exact 0 is out of range, and also outside min..max (30..20, itself empty).
            [nameof(SessionOptions.LatencySeconds), nameof(SessionOptions.ExactSpeakers), nameof(SessionOptions.MinSpeakers), nameof(SessionOptions.ExactSpeakers), nameof(SessionOptions.Embedder), nameof(SessionOptions.SpeechDetector)],
            keys);
        Assert.Equal(options.GetSettingErrors().Select(e => e.Message), options.GetValidationErrors());
        Assert.Empty(new SessionOptions().GetSettingErrors());
    }

    [Fact]
    public void The_registry_keys_an_unknown_kind_by_its_setting()
    {
        var factory = new DefaultSessionFactory();
        var error = Assert.Single(factory.Registry.SettingErrors(new SessionOptions { Clusterer = "kmeans" }));

        Assert.Equal(new SettingError(nameof(SessionOptions.Clusterer), "clusterer 'kmeans' is invalid: use 'agglomerative'"), error);
    }

    [Theory]
    [InlineData("meeting-room.2_b", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("slash/id", false)]
    public void A_session_id_is_letters_digits_dots_dashes_and_underscores(string id, bool valid)
    {
        Assert.Equal(valid, SessionIds.IsValid(id));
        Assert.False(SessionIds.IsValid(new string('a', 65)));
    }

    [Fact]
    public void Speaker_hints_are_checked_by_one_set_of_rules_named_by_the_caller()
    {
        var hints = new SpeakerHints { ExactSpeakers = 2, MinSpeakers = 3, MaxSpeakers = 2 };
        string Flag(string hint) => hint switch { "ExactSpeakers" => "--num-speakers", "MinSpeakers" => "--min-speakers", _ => "--max-speakers" };

        Assert.Equal(
            ["ExactSpeakers cannot be combined with MinSpeakers or MaxSpeakers: give an exact count or a range.", "MinSpeakers 3 is above MaxSpeakers 2: the range is empty."],
            hints.GetValidationErrors(20));
        Assert.Equal(
            ["--num-speakers cannot be combined with --min-speakers or --max-speakers: give an exact count or a range.", "--min-speakers 3 is above --max-speakers 2: the range is empty."],
            hints.GetValidationErrors(100, Flag));
    }
}
