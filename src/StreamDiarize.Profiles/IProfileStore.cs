// Where voice profiles live between sessions. SQLite on one machine today; a shared server store can implement the same.
using StreamDiarize.Core.Speakers;

namespace StreamDiarize.Profiles;

/// <summary>
/// A set of voice profiles keyed by name (compared without regard to case). Every write is one transaction: a reader,
/// or a crash, sees the old profile or the new one, never a mix. Implementations are safe to share across threads
/// and across processes that open the same store.
/// </summary>
public interface IProfileStore
{
    /// <summary>Where the profiles are, for messages (a file path or a server address).</summary>
    string Location { get; }

    /// <summary>Every profile, by name.</summary>
    /// <exception cref="ProfileStoreException">The store cannot be read.</exception>
    IReadOnlyList<VoiceProfile> List();

    /// <summary>The profile named <paramref name="name"/>, or null.</summary>
    VoiceProfile? Get(string name);

    /// <summary>
    /// Adds enrollment audio's model to the profile <paramref name="name"/>, creating it, or replaces it with
    /// <paramref name="replace"/>. Refuses (and changes nothing) when the existing profile has another kind.
    /// </summary>
    /// <exception cref="ProfileKindMismatchException">The profile exists with another embedder kind and <paramref name="replace"/> is false.</exception>
    VoiceProfile Enroll(string name, string kind, VoiceModel model, double speechSeconds, int clips, bool replace = false, string? metadata = null);

    /// <summary>Deletes the profile; false when there was none.</summary>
    bool Remove(string name);
}

/// <summary>The store could not be opened, read or written; the message names the store and what to do.</summary>
public class ProfileStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Enrollment audio of one embedder kind was offered to a profile made with another.</summary>
public sealed class ProfileKindMismatchException(string name, string existingKind, string newKind)
    : ProfileStoreException(
        $"profile '{name}' was made with the '{existingKind}' embedder; this enrollment uses '{newKind}', and voices of different embedders cannot be compared: " +
        $"enroll with the '{existingKind}' embedder, or replace the profile (--replace) to start it anew with '{newKind}'")
{
    public string ExistingKind { get; } = existingKind;
}
