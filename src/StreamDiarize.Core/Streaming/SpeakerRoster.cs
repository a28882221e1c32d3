// The speaker ids of a live session: which exist, when each was made, and the speaker of the newest window.
using StreamDiarize.Core.Events;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Ids are made in order (S0, S1, ...) and never reused; every new one is announced with a
/// <see cref="SpeakerAddedEvent"/>. An id counts as confirmed once a re-clustering after the one that made it has kept
/// it: until then it may yet be merged back.
/// </summary>
public sealed class SpeakerRoster
{
    private readonly HashSet<int> _ids = [];

    // The re-clustering count when each id was made.
    private readonly Dictionary<int, int> _since = [];

    public int Count => _ids.Count;

    /// <summary>The id the next <see cref="Add"/> gives.</summary>
    public int NextId { get; private set; }

    /// <summary>The speaker of the newest window; -1 before the first.</summary>
    public int Latest { get; set; } = -1;

    /// <summary>Re-clusterings so far.</summary>
    public int Reclusterings { get; private set; }

    public static string Name(int speaker) => "S" + speaker.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void BeginRecluster() => Reclusterings++;

    /// <summary>A new id, announced at <paramref name="nowSeconds"/>.</summary>
    public int Add(List<DiarizationEvent> events, double nowSeconds)
    {
        int id = NextId++;
        _ids.Add(id);
        _since[id] = Reclusterings;
        events.Add(new SpeakerAddedEvent(nowSeconds, Name(id)));
        return id;
    }

    public void Remove(int id)
    {
        _ids.Remove(id);
        _since.Remove(id);
    }

    public bool Confirmed(int id) => _since.TryGetValue(id, out int since) && Reclusterings > since + 1;

    /// <summary>The speaker to give speech that no window labels yet: the newest window's, else the first id.</summary>
    public int LatestOrFirst => Latest >= 0 ? Latest : 0;
}
