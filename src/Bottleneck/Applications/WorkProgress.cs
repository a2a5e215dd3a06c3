namespace Bottleneck.Applications;

/// <summary>
/// Progress of a long piece of work done by an application (encoding a data set, scoring a test
/// set): <paramref name="Done"/> of <paramref name="Total"/> items of the named stage.
/// </summary>
public readonly record struct WorkProgress(string Stage, int Done, int Total);
