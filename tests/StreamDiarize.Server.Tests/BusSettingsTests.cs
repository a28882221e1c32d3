// Server:Bus names and settings: subject tokens that cannot collide, and every bad value named at start.
using StreamDiarize.Server.Bus;

namespace StreamDiarize.Server.Tests;

public sealed class BusSettingsTests
{
    [Theory]
    [InlineData("room-12", "room-12")]
    [InlineData("a.b", "a_2Eb")]
    [InlineData("", "_")]
    [InlineData("_", "_5F")]
    [InlineData("x*>", "x_2A_3E")]
    [InlineData("é", "_C3_A9")]
    public void Escape_keeps_letters_digits_and_dashes_and_hex_escapes_every_other_byte(string value, string token)
    {
        Assert.Equal(token, BusNames.Escape(value));
    }

    [Fact]
    public void Different_tenants_and_ids_never_share_a_subject()
    {
        var random = new Random(16);
        const string alphabet = "ab-_.*> é0";
        var seen = new Dictionary<string, (string, string)>();
        for (int i = 0; i < 20_000; i++)
        {
            string tenant = new([.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            string id = new([.. Enumerable.Range(1, random.Next(1, 5)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            string subject = BusNames.EventsSubject("streamdiarize", BusNames.SessionKey(tenant, id));
            Assert.Equal(5, subject.Split('.').Length);
            Assert.DoesNotContain(subject, c => c is '*' or '>' or ' ');
            if (seen.TryGetValue(subject, out var other))
            {
                Assert.Equal(other, (tenant, id));
            }
            seen[subject] = (tenant, id);
        }
    }

    [Fact]
    public void Without_a_url_the_bus_is_off_and_nothing_else_is_checked()
    {
        var options = new BusOptions { LeaseSeconds = -1 };
        Assert.False(options.Enabled);
        Assert.Empty(options.GetValidationErrors());
    }

    [Fact]
    public void Bad_bus_settings_are_each_named_with_what_to_do()
    {
        var errors = new BusOptions
        {
            Url = "http://127.0.0.1:4222",
            ReplicaId = "r.1",
            HeartbeatSeconds = 2,
            LeaseSeconds = 3,
            MaxAgeSeconds = 10,
            Replicas = 7,
        }.GetValidationErrors();

        Assert.Contains(errors, e => e.StartsWith("Server:Bus:Url 'http://127.0.0.1:4222' is invalid: give nats://", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Server:Bus:ReplicaId 'r.1' is invalid", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Server:Bus:LeaseSeconds 3 is invalid: use at least twice Server:Bus:HeartbeatSeconds", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Server:Bus:MaxAgeSeconds 10 is invalid", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Server:Bus:Replicas 7 is invalid", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void The_server_refuses_to_start_with_a_bad_bus_url_or_drain_grace()
    {
        var ex = Assert.Throws<Core.Options.OptionsValidationException>(() => ServerHost.Build([], new ServerHostOptions
        {
            Overrides = [new("Server:Bus:Url", "127.0.0.1:4222"), new("Server:DrainGraceSeconds", "-1")],
        }));
        Assert.Contains("Server:Bus:Url '127.0.0.1:4222' is invalid", ex.Message);
        Assert.Contains("Server:DrainGraceSeconds -1 is invalid", ex.Message);
    }

    [Fact]
    public async Task A_bus_url_where_no_nats_answers_stops_the_start_naming_the_url_and_the_fix()
    {
        int port = DaemonHost.FreePort();
        var ex = await Assert.ThrowsAsync<Core.Options.OptionsValidationException>(() => DaemonHost.StartAsync(null, ("Server:Bus:Url", $"nats://127.0.0.1:{port}")));
        Assert.Contains($"Server:Bus:Url nats://127.0.0.1:{port}: cannot use NATS JetStream there", ex.Message);
        Assert.Contains("nats-server -js", ex.Message);
    }
}
