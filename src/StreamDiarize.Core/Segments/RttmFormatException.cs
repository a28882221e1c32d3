// Thrown when an RTTM line cannot be read; the message names the source, the line and what is wrong.
namespace StreamDiarize.Core.Segments;

/// <summary>A malformed RTTM line. <see cref="SourceName"/> and <see cref="LineNumber"/> locate it.</summary>
public sealed class RttmFormatException : FormatException
{
    public RttmFormatException()
    {
    }

    public RttmFormatException(string message)
        : base(message)
    {
    }

    public RttmFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RttmFormatException(string sourceName, int lineNumber, string problem)
        : base($"{sourceName}, line {lineNumber}: {problem}")
    {
        SourceName = sourceName;
        LineNumber = lineNumber;
    }

    /// <summary>The file path, or a description of the reader when no path is known.</summary>
    public string? SourceName { get; }

    /// <summary>1-based line number of the bad line; 0 when unknown.</summary>
    public int LineNumber { get; }
}
