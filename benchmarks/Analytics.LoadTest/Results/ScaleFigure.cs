namespace Analytics.LoadTest.Results;

/// <summary>One headline figure of a run, kept per data size so that the report can show how it grows.</summary>
internal sealed record ScaleFigure(string Name, double Value, string Unit);
