// Keeps what the daemon logs at warning level and above, formatted, with any exception, for assertions.
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StreamDiarize.Server.Tests;

internal sealed class CollectingLoggerProvider : ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> Errors { get; } = new();

    public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Categorized(this, categoryName);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Add("", logLevel, formatter(state, exception), exception);

    private void Add(string category, LogLevel level, string message, Exception? exception)
    {
        if (!IsEnabled(level))
        {
            return;
        }
        Entries.Enqueue((level, category, message, exception));
        if (level >= LogLevel.Error)
        {
            Errors.Enqueue(message);
        }
    }

    public void Dispose()
    {
    }

    private sealed class Categorized(CollectingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => owner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(category, logLevel, formatter(state, exception), exception);
    }
}
