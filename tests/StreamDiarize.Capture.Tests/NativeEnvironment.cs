// Sets an environment variable where native libraries see it: .NET's Environment.SetEnvironmentVariable does not reach libc on Linux.
using System.Runtime.InteropServices;

namespace StreamDiarize.Capture.Tests;

internal static partial class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> for both managed and native code until the result is disposed.</summary>
    public static IDisposable Set(string name, string? value)
    {
        var before = Environment.GetEnvironmentVariable(name);
        Apply(name, value);
        return new Restore(() => Apply(name, before));
    }

    private static void Apply(string name, string? value)
    {
        Environment.SetEnvironmentVariable(name, value);
        _ = value is null ? unsetenv(name) : setenv(name, value, 1);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unsetenv(string name);

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
