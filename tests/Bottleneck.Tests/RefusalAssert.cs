namespace Bottleneck.Tests;

/// <summary>Asserts for bad input: refused with a <see cref="BottleneckException"/> whose message is one line.</summary>
internal static class RefusalAssert
{
    /// <summary><paramref name="call"/> is refused with one line that contains <paramref name="fragment"/>.</summary>
    public static BottleneckException Refused(Action call, string fragment)
    {
        var e = Assert.Throws<BottleneckException>(call);
        Assert.Contains(fragment, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    /// <summary>Reading the file at <paramref name="path"/> is refused with one line that starts with the path.</summary>
    public static void FileRefused(string path, Action read, string fragment) =>
        Assert.StartsWith(path + ": ", Refused(read, fragment).Message);
}
