// A spinner with elapsed time on stderr for work that outlasts a couple of seconds; silent when stderr is not a terminal or with --quiet.
using Spectre.Console;

namespace StreamDiarize.Cli.Commands;

internal static class ProgressDisplay
{
    /// <summary>Work quicker than this shows nothing at all.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);

    /// <summary>Whether a display may be drawn: stderr is a terminal, not --quiet, and TERM is not "dumb".</summary>
    public static bool Enabled(bool quiet) =>
        !quiet && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool; if it is still running after <see cref="Delay"/>, shows
    /// "<paramref name="label"/> 12 s" with a spinner on stderr until it ends, then clears the line.
    /// </summary>
    public static T Run<T>(string label, bool enabled, Func<T> work)
    {
        if (!enabled)
        {
            return work();
        }
        var task = Task.Run(work);
        if (task.Wait(Delay))
        {
            return task.GetAwaiter().GetResult();
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        console.Status().Spinner(Spinner.Known.Dots).Start(Markup.Escape(label), context =>
        {
            while (!task.Wait(TimeSpan.FromMilliseconds(250)))
            {
                context.Status(Markup.Escape($"{label} {clock.Elapsed.TotalSeconds + Delay.TotalSeconds:F0} s"));
            }
        });
        return task.GetAwaiter().GetResult();
    }
}
