// Where the tests find the repository and the shared data beside it (../shared), from any build folder.
namespace StreamDiarize.TestSupport;

internal static class RepoPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StreamDiarize.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("StreamDiarize.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string AmiDir => Path.Combine(Shared, "data", "ami");

    public static string Ami(string name) => Path.Combine(AmiDir, name);

    public static string RealDevDir => Path.Combine(Shared, "data", "real-dev");

    /// <summary>A file of the real-voice development conversations (../shared/data/real-dev).</summary>
    public static string RealDev(string name) => Path.Combine(RealDevDir, name);

    public static IReadOnlyList<string> AmiIds { get; } =
        ["dev00", "dev01", "trn00", "trn01", "trn02", "trn03", "trn04", "trn05", "trn06", "trn07", "trn08", "trn09"];

    private static FileStream? _ownerLock;

    // This process's folder under temp/streamdiarize-tests, holding an exclusively locked ".owner" file while the process
    // lives. The test host is often killed before its exit handlers finish, so each process first removes the folders
    // of processes that are gone (their lock is free) and then, best effort, its own at exit. A packaging test leaves
    // close to a gigabyte of files; a CI machine once ran out of disk on the leftovers of earlier runs.
    private static readonly Lazy<string> ProcessTempRoot = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "streamdiarize-tests");
        Directory.CreateDirectory(root);
        foreach (var dir in Directory.GetDirectories(root))
        {
            if (IsAbandoned(dir))
            {
                DeleteTempDir(dir);
            }
        }
        string mine = Path.Combine(root, $"p{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(mine);
        _ownerLock = new FileStream(Path.Combine(mine, ".owner"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            _ownerLock?.Dispose();
            DeleteTempDir(mine);
        };
        return mine;
    });

    private static bool IsAbandoned(string dir)
    {
        string owner = Path.Combine(dir, ".owner");
        if (!File.Exists(owner))
        {
            // A folder of the earlier layout (or one whose owner had not yet locked it): old ones only.
            return Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddHours(-6);
        }
        try
        {
            using var probe = new FileStream(owner, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// A fresh empty folder under the system temp folder, removed with this test process's folder when the process
    /// exits, or by the next test process if this one was killed first.
    /// </summary>
    public static string NewTempDir()
    {
        var path = Path.Combine(ProcessTempRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a folder (from <see cref="NewTempDir"/>) now; best effort: a process may still hold a file.</summary>
    public static void DeleteTempDir(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
