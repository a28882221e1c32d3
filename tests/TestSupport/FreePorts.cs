// Loopback ports that are free now and differ from each other.
using System.Net;
using System.Net.Sockets;

namespace StreamDiarize.TestSupport;

internal static class FreePorts
{
    /// <summary>
    /// <paramref name="count"/> distinct free loopback ports: every listener is held until all are taken, since ports
    /// asked for one after the other may come back equal (a CI run gave gRPC and HTTP the same port).
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
