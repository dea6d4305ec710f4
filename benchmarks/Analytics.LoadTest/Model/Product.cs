namespace Analytics.LoadTest.Model;

/// <summary>A product of the workspace, with the models its calls go to.</summary>
internal sealed record Product(Guid Id, string Name, LlmModel[] Models);
