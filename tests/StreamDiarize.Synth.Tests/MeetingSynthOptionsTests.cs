// Meeting options validate themselves and report every problem at once, each saying what is allowed.
namespace StreamDiarize.Synth.Tests;

public sealed class MeetingSynthOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(new MeetingSynthOptions().GetValidationErrors());
    }

    [Fact]
    public void Validation_lists_every_error_at_once()
    {
        var options = new MeetingSynthOptions
        {
            Speakers = 9,
            DurationSeconds = 4000,
            MinTurnSeconds = 5,
            MaxTurnSeconds = 2,
            MinGapSeconds = -1,
            OverlapProbability = 1.5,
            SnrDb = 100,
            SampleRateHz = 8000,
        };

        var errors = options.GetValidationErrors();

        Assert.Equal(7, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("speakers 9", StringComparison.Ordinal) && e.Contains("2 to 8", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("duration 4000", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("maximum turn 2", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("minimum gap -1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("overlap probability 1.5", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SNR 100", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("sample rate 8000", StringComparison.Ordinal));
    }

    [Fact]
    public void The_synthesizer_refuses_invalid_options_before_running_any_tts_engine()
    {
        var bank = Voices.VoiceBank.Detect(new Voices.TtsTools("/nonexistent/espeak-ng", "/nonexistent/flite"));
        var options = new MeetingSynthOptions { Speakers = 1, DurationSeconds = 1 };

        var ex = Assert.Throws<Core.Options.OptionsValidationException>(() => new MeetingSynthesizer(bank).Synthesize(options, "x"));

        Assert.Contains("speakers 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("duration 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(60)]
    [InlineData(3600)]
    public void Durations_from_five_seconds_to_an_hour_are_accepted(double seconds)
    {
        Assert.Empty(new MeetingSynthOptions { DurationSeconds = seconds }.GetValidationErrors());
    }
}
