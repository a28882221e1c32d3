// A speaker for each new live window at once: the nearest centroid of the last re-clustering, or a new speaker.
using StreamDiarize.Core.Events;

namespace StreamDiarize.Core.Streaming;

/// <summary>
/// Compares a window with the speakers' centroids in the <see cref="WindowSpace"/> snapshot of the last
/// re-clustering. A window further than <see cref="OnlineDiarizerOptions.NewSpeakerDistance"/> from every centroid
/// starts a new speaker, when the session's hints allow one more.
/// </summary>
public sealed class OnlineAssigner(WindowSpace space, SpeakerRoster roster, double newSpeakerDistance, SessionOptions session)
{
    private readonly Dictionary<int, double[]> _centroids = [];
    private readonly double[] _normalised = new double[space.Dims];

    /// <summary>The speaker of a new window's raw vector; a new speaker is announced at <paramref name="nowSeconds"/>.</summary>
    public int Assign(double[] vector, List<DiarizationEvent> events, double nowSeconds)
    {
        if (_centroids.Count == 0)
        {
            return roster.Count == 0 ? roster.Add(events, nowSeconds) : roster.LatestOrFirst;
        }
        space.Normalise(vector, _normalised);
        int best = -1;
        double bestDistance = double.MaxValue;
        foreach (var (speaker, centroid) in _centroids)
        {
            double d = 1 - WindowSpace.Dot(_normalised, centroid);
            if (d < bestDistance || (d == bestDistance && speaker < best))
            {
                bestDistance = d;
                best = speaker;
            }
        }
        bool mayAdd = session.ExactSpeakers is null && roster.Count < session.MaxSpeakers;
        if (bestDistance > newSpeakerDistance && mayAdd)
        {
            int added = roster.Add(events, nowSeconds);
            _centroids[added] = (double[])_normalised.Clone();
            return added;
        }
        return best;
    }

    /// <summary>Takes the centroids of a re-clustering (unit length, in the space's new snapshot).</summary>
    public void Replace(Dictionary<int, double[]> centroids)
    {
        _centroids.Clear();
        foreach (var (id, c) in centroids)
        {
            _centroids[id] = c;
        }
    }
}
