// Where a session's wire events go besides its own watchers: the bus publisher, when Server:Bus is on.
using StreamDiarize.Protocol.V1;

namespace StreamDiarize.Server.Sessions;

/// <summary>Offered under the session's lock, in the order watchers see; must never wait.</summary>
public interface IEventOutbox
{
    void Offer(DiarizeEvent e);

    /// <summary>The session is over: nothing more will be offered.</summary>
    void Complete();
}
