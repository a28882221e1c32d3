// Voice profiles in one SQLite file (Microsoft.Data.Sqlite): transactional writes, safe for several processes at once.
using System.Globalization;
using Microsoft.Data.Sqlite;
using StreamDiarize.Core.Speakers;

namespace StreamDiarize.Profiles;

/// <summary>
/// The embedded store: <c>profiles.db</c> in a data folder, created on first use. WAL journaling lets readers go on while
/// one process writes; each enrollment runs in an IMMEDIATE transaction (read, combine, write) so two daemons enrolling
/// into the same profile at once both count, in some order. Connections are not pooled: nothing holds the file open
/// between calls.
/// </summary>
public sealed class SqliteProfileStore : IProfileStore
{
    public const string FileName = "profiles.db";
    private const int SchemaVersion = 1;
    private readonly string _connectionString;

    private SqliteProfileStore(string path)
    {
        Location = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            // Another process holding the write lock is waited for (busy retries) up to this long.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Location { get; }

    /// <summary>The per-user data folder: $XDG_DATA_HOME or ~/.local/share on Linux, %LOCALAPPDATA% on Windows, then streamdiarize.</summary>
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "streamdiarize");

    /// <summary>Opens (creating the folder and file on first use) the store in <paramref name="dataDirectory"/> and checks that it is one.</summary>
    /// <exception cref="ProfileStoreException">The folder cannot be made, or the file is not a profile store (the message names it).</exception>
    public static SqliteProfileStore Open(string dataDirectory)
    {
        string dir = Path.GetFullPath(dataDirectory);
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ProfileStoreException($"the data folder '{dir}' cannot be created ({e.Message}): choose another with --data DIR", e);
        }
        var store = new SqliteProfileStore(Path.Combine(dir, FileName));
        store.Run(connection =>
        {
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            wal.ExecuteNonQuery();
            using var version = connection.CreateCommand();
            version.CommandText = "PRAGMA user_version;";
            long found = (long)version.ExecuteScalar()!;
            if (found > SchemaVersion)
            {
                throw new ProfileStoreException($"the profile store '{store.Location}' was written by a newer StreamDiarize (schema {found}; this one reads {SchemaVersion}): upgrade, or use another --data folder");
            }
            using var tx = connection.BeginTransaction(deferred: false);
            using var create = connection.CreateCommand();
            create.Transaction = tx;
            create.CommandText = """
                CREATE TABLE IF NOT EXISTS profiles (
                    name TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
                    kind TEXT NOT NULL,
                    model BLOB NOT NULL,
                    speech_seconds REAL NOT NULL,
                    clips INTEGER NOT NULL,
                    metadata TEXT,
                    updated_utc TEXT NOT NULL);
                PRAGMA user_version = 1;
                """;
            create.ExecuteNonQuery();
            tx.Commit();
            return 0;
        });
        return store;
    }

    public IReadOnlyList<VoiceProfile> List() => Run(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, kind, model, speech_seconds, clips, metadata, updated_utc FROM profiles ORDER BY name COLLATE NOCASE;";
        using var reader = command.ExecuteReader();
        var profiles = new List<VoiceProfile>();
        while (reader.Read())
        {
            profiles.Add(Read(reader));
        }
        return profiles;
    });

    public VoiceProfile? Get(string name) => Run(connection => Get(connection, null, name));

    public VoiceProfile Enroll(string name, string kind, VoiceModel model, double speechSeconds, int clips, bool replace = false, string? metadata = null)
    {
        if (ProfileNames.Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }
        return Run(connection =>
        {
            using var tx = connection.BeginTransaction(deferred: false);
            var existing = Get(connection, tx, name);
            VoiceProfile profile;
            if (existing is null || replace)
            {
                profile = new VoiceProfile(name, kind, model, speechSeconds, clips, DateTimeOffset.UtcNow, metadata);
            }
            else if (existing.Kind != kind)
            {
                throw new ProfileKindMismatchException(existing.Name, existing.Kind, kind);
            }
            else
            {
                profile = existing with
                {
                    Model = existing.Model.Combine(model),
                    SpeechSeconds = existing.SpeechSeconds + speechSeconds,
                    Clips = existing.Clips + clips,
                    UpdatedUtc = DateTimeOffset.UtcNow,
                    Metadata = metadata ?? existing.Metadata,
                };
            }
            using var write = connection.CreateCommand();
            write.Transaction = tx;
            write.CommandText = """
                INSERT INTO profiles (name, kind, model, speech_seconds, clips, metadata, updated_utc)
                VALUES ($name, $kind, $model, $speech, $clips, $metadata, $updated)
                ON CONFLICT(name) DO UPDATE SET name = excluded.name, kind = excluded.kind, model = excluded.model,
                    speech_seconds = excluded.speech_seconds, clips = excluded.clips, metadata = excluded.metadata, updated_utc = excluded.updated_utc;
                """;
            write.Parameters.AddWithValue("$name", profile.Name);
            write.Parameters.AddWithValue("$kind", profile.Kind);
            write.Parameters.AddWithValue("$model", VoiceModelCodec.Encode(profile.Model));
            write.Parameters.AddWithValue("$speech", profile.SpeechSeconds);
            write.Parameters.AddWithValue("$clips", profile.Clips);
            write.Parameters.AddWithValue("$metadata", (object?)profile.Metadata ?? DBNull.Value);
            write.Parameters.AddWithValue("$updated", profile.UpdatedUtc.ToString("O", CultureInfo.InvariantCulture));
            write.ExecuteNonQuery();
            tx.Commit();
            return profile;
        });
    }

    public bool Remove(string name) => Run(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM profiles WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteNonQuery() > 0;
    });

    private VoiceProfile? Get(SqliteConnection connection, SqliteTransaction? tx, string name)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT name, kind, model, speech_seconds, clips, metadata, updated_utc FROM profiles WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    private VoiceProfile Read(SqliteDataReader reader)
    {
        string name = reader.GetString(0);
        VoiceModel model;
        try
        {
            model = VoiceModelCodec.Decode((byte[])reader.GetValue(2));
        }
        catch (Exception e) when (e is FormatException or InvalidCastException)
        {
            throw new ProfileStoreException($"profile '{name}' in '{Location}' is damaged ({e.Message}): remove it (enroll --remove {name}) and enroll the person again", e);
        }
        return new VoiceProfile(name, reader.GetString(1), model, reader.GetDouble(3), reader.GetInt32(4),
            DateTimeOffset.Parse(reader.GetString(6), CultureInfo.InvariantCulture), reader.IsDBNull(5) ? null : reader.GetString(5));
    }

    private T Run<T>(Func<SqliteConnection, T> work)
    {
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            return work(connection);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 or 11)
        {
            // SQLITE_NOTADB, SQLITE_CORRUPT.
            throw new ProfileStoreException($"the profile store '{Location}' is not a readable SQLite database ({e.Message.TrimEnd('.')}): move it away (profiles in it are lost) or choose another --data folder", e);
        }
        catch (SqliteException e)
        {
            throw new ProfileStoreException($"the profile store '{Location}' failed: {e.Message}", e);
        }
    }
}
