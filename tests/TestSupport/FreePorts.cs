// Loopback ports that are free now and differ from each other.
using System.Net;
using System.Net.Sockets;

namespace StreamDiarize.TestSupport;

internal static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// <paramref name="count"/> distinct free loopback ports: every listener is held until all are taken, since ports
    /// asked for one after the other may come back equal (a CI run gave gRPC and HTTP the same port).
    /// </summary>
    /// <remarks>
    /// A port is never handed out twice in one test process: replicas started at once each take their ports, and the
    /// kernel may give a port just released to the next caller (a CI run saw two replicas race for one port).
    /// </remarks>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            var ports = new List<int>();
            for (int tries = 0; ports.Count < count; tries++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
                int port = ((IPEndPoint)listener.LocalEndpoint).Port;
                lock (Given)
                {
                    if (Given.Add(port))
                    {
                        ports.Add(port);
                    }
                }
                if (tries > 1000)
                {
                    throw new InvalidOperationException("no fresh loopback port after 1000 tries");
                }
            }
            return [.. ports];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    /// <summary>
    /// Runs <paramref name="start"/> on <paramref name="count"/> fresh ports; if a port was bound by another process between
    /// being taken and being listened on (an outgoing connection's ephemeral port, say), it runs again on fresh ports, twice
    /// at most. <paramref name="start"/> must release what it built before it throws.
    /// </summary>
    public static async Task<T> StartOnFreshPortsAsync<T>(int count, Func<int[], Task<T>> start)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await start(Take(count));
            }
            catch (IOException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }
}
