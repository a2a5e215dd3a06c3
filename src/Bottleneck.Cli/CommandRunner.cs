using System.CommandLine;

namespace Bottleneck.Cli;

/// <summary>
/// Parses and runs a command line. Parse errors and <see cref="BottleneckException"/>s become one
/// "bottleneck: error: ..." line on stderr and exit code 2 (usage) or 1 (failure), never a stack trace.
/// </summary>
public static class CommandRunner
{
    public const int Failure = 1;
    public const int UsageError = 2;

    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"bottleneck: error: {parse.Errors[0].Message} (see 'bottleneck --help')");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Unwrap(e) is BottleneckException b)
        {
            Console.Error.WriteLine($"bottleneck: error: {b.Message}");
            return b is UsageException ? UsageError : Failure;
        }
        catch (Exception e) when (Unwrap(e) is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"bottleneck: error: {Unwrap(e).Message}");
            return Failure;
        }
    }

    private static Exception Unwrap(Exception e) => e is AggregateException { InnerException: { } inner } ? Unwrap(inner) : e;
}

/// <summary>A bad option value: reported like a parse error, with the usage exit code.</summary>
public sealed class UsageException(string message) : BottleneckException(message);
