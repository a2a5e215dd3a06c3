namespace Bottleneck;

/// <summary>
/// A problem the user can fix: a bad file, a wrong shape, a nonsense option, a diverging run.
/// The message is one complete line (what, where, what to do); the CLI prints it without a stack trace.
/// </summary>
public class BottleneckException : Exception
{
    public BottleneckException(string message) : base(message) { }

    public BottleneckException(string message, Exception inner) : base(message, inner) { }
}
