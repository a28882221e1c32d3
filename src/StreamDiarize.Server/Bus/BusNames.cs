// Subject and key names on the bus: a session is known by its tenant and id, both escaped into one NATS token each.
using System.Text;

namespace StreamDiarize.Server.Bus;

public static class BusNames
{
    /// <summary>
    /// A NATS subject token and key-value key part for any string: letters, digits and '-' stay, every other UTF-8
    /// byte becomes _XX (hex), and the empty string (the tenant without authentication) becomes "_". Unambiguous, and
    /// readable for ordinary ids ("room-12" stays "room-12"; "a.b" becomes "a_2Eb", since '.' separates tokens).
    /// </summary>
    public static string Escape(string value)
    {
        if (value.Length == 0)
        {
            return "_";
        }
        var sb = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('_').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    /// <summary>The session's key part: "TENANT.ID", each escaped.</summary>
    public static string SessionKey(string tenant, string id) => Escape(tenant) + "." + Escape(id);

    /// <summary>The subject of a session's events: PREFIX.sessions.TENANT.ID.events.</summary>
    public static string EventsSubject(string prefix, string sessionKey) => $"{prefix}.sessions.{sessionKey}.events";

    /// <summary>Every session's events: the stream's subject filter.</summary>
    public static string AllEvents(string prefix) => $"{prefix}.sessions.>";

    /// <summary>The directory key of a live session.</summary>
    public static string DirectorySessionKey(string sessionKey) => "sessions." + sessionKey;

    /// <summary>The directory key of a replica's heartbeat.</summary>
    public static string DirectoryReplicaKey(string replicaId) => "replicas." + replicaId;

    /// <summary>Letters, digits, '-' and '_', 1 to 64 characters: safe as a subject token, stream, bucket or key part.</summary>
    public static bool IsToken(string value) =>
        value.Length is >= 1 and <= 64 && value.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_');
}
