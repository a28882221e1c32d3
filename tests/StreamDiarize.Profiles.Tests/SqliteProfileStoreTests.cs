// The SQLite store: survives reopening, refuses mixing embedder kinds and bad names without writing, names a corrupt file.
using Microsoft.Data.Sqlite;
using StreamDiarize.Core.Clustering;
using StreamDiarize.Core.Speakers;
using StreamDiarize.TestSupport;

namespace StreamDiarize.Profiles.Tests;

public sealed class SqliteProfileStoreTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GaussianVoiceModel Model(double scale)
    {
        var g = new GaussianStats(3);
        var rng = new Random(42);
        for (int i = 0; i < 200; i++)
        {
            g.Add([(float)(rng.NextDouble() * scale), (float)rng.NextDouble(), (float)(rng.NextDouble() + scale)]);
            g.AddAux(rng.NextDouble());
        }
        return new GaussianVoiceModel(g);
    }

    [Fact]
    public void A_profile_written_by_one_store_is_read_back_exactly_by_a_new_one()
    {
        var model = Model(2);
        SqliteProfileStore.Open(_dir).Enroll("Alice", FeatureVoiceModeller.KindName, model, 12.5, 2, metadata: "desk 4");
        var again = SqliteProfileStore.Open(_dir).Get("alice");
        Assert.NotNull(again);
        Assert.Equal("Alice", again!.Name);
        Assert.Equal(12.5, again.SpeechSeconds);
        Assert.Equal(2, again.Clips);
        Assert.Equal("desk 4", again.Metadata);
        var g = Assert.IsType<GaussianVoiceModel>(again.Model).Stats;
        Assert.Equal(model.Stats.Count, g.Count);
        Assert.Equal(model.Stats.Sum, g.Sum);
        Assert.Equal(model.Stats.Scatter, g.Scatter);
        Assert.Equal(model.Stats.AuxSquares, g.AuxSquares);
    }

    [Fact]
    public void Enrolling_again_adds_to_the_profile_and_replace_starts_it_anew()
    {
        var store = SqliteProfileStore.Open(_dir);
        store.Enroll("Bob", FeatureVoiceModeller.KindName, Model(1), 10, 1);
        var sum = store.Enroll("Bob", FeatureVoiceModeller.KindName, Model(3), 5, 1);
        Assert.Equal(15, sum.SpeechSeconds);
        Assert.Equal(2, sum.Clips);
        Assert.Equal(400, ((GaussianVoiceModel)sum.Model).Stats.Count);
        var fresh = store.Enroll("Bob", FeatureVoiceModeller.KindName, Model(3), 5, 1, replace: true);
        Assert.Equal(200, ((GaussianVoiceModel)fresh.Model).Stats.Count);
        Assert.Single(store.List());
    }

    [Fact]
    public void A_profile_of_another_embedder_kind_is_refused_and_left_unchanged()
    {
        var store = SqliteProfileStore.Open(_dir);
        store.Enroll("Carol", FeatureVoiceModeller.KindName, Model(1), 10, 1);
        var e = Assert.Throws<ProfileKindMismatchException>(() =>
            store.Enroll("Carol", "onnx:wespeaker", new EmbeddingVoiceModel([1f, 0f, 0f], 4), 10, 1));
        Assert.Contains("features/v1", e.Message);
        Assert.Contains("onnx:wespeaker", e.Message);
        var kept = store.Get("Carol")!;
        Assert.Equal(FeatureVoiceModeller.KindName, kept.Kind);
        Assert.Equal(1, kept.Clips);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("S3", "anonymous speaker id")]
    [InlineData("Alice Smith", "white space")]
    [InlineData("Bad\u0001Name", "control character")]
    public void Bad_names_are_refused_and_nothing_is_written(string name, string expected)
    {
        var store = SqliteProfileStore.Open(_dir);
        var e = Assert.Throws<ArgumentException>(() => store.Enroll(name, FeatureVoiceModeller.KindName, Model(1), 10, 1));
        Assert.Contains(expected, e.Message);
        Assert.Empty(store.List());
    }

    [Fact]
    public void A_name_longer_than_64_characters_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SqliteProfileStore.Open(_dir).Enroll(new string('a', 65), FeatureVoiceModeller.KindName, Model(1), 10, 1));
        Assert.Contains("at most 64", e.Message);
    }

    [Fact]
    public void A_store_file_that_is_not_a_database_is_reported_with_its_path()
    {
        File.WriteAllText(Path.Combine(_dir, SqliteProfileStore.FileName), "this is not a database, it is a text file that got in the way of the store");
        var e = Assert.Throws<ProfileStoreException>(() => SqliteProfileStore.Open(_dir));
        Assert.Contains(Path.Combine(_dir, SqliteProfileStore.FileName), e.Message);
        Assert.Contains("not a readable SQLite database", e.Message);
    }

    [Fact]
    public void A_damaged_model_row_is_reported_with_the_profile_name()
    {
        var store = SqliteProfileStore.Open(_dir);
        store.Enroll("Dave", FeatureVoiceModeller.KindName, Model(1), 10, 1);
        using (var connection = new SqliteConnection($"Data Source={store.Location};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE profiles SET model = x'0102' WHERE name = 'Dave';";
            command.ExecuteNonQuery();
        }
        var e = Assert.Throws<ProfileStoreException>(() => store.List());
        Assert.Contains("'Dave'", e.Message);
        Assert.Contains("enroll --remove Dave", e.Message);
        Assert.True(store.Remove("Dave"));
        Assert.Empty(store.List());
    }

    [Fact]
    public void Concurrent_enrollments_from_many_connections_all_count_and_leave_a_sound_file()
    {
        const int writers = 8;
        const int each = 5;
        // Separate store objects open separate connections, as two daemons on one data folder do.
        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            var store = SqliteProfileStore.Open(_dir);
            for (int i = 0; i < each; i++)
            {
                store.Enroll(w % 2 == 0 ? "Erin" : "Frank", FeatureVoiceModeller.KindName, Model(1), 1, 1);
            }
        });
        var profiles = SqliteProfileStore.Open(_dir).List();
        Assert.Equal(["Erin", "Frank"], profiles.Select(p => p.Name));
        Assert.All(profiles, p => Assert.Equal(writers / 2 * each, p.Clips));
        Assert.All(profiles, p => Assert.Equal(writers / 2 * each * 200, ((GaussianVoiceModel)p.Model).Stats.Count));
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir, SqliteProfileStore.FileName)};Pooling=False");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", check.ExecuteScalar());
    }
}
