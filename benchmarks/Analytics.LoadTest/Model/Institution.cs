namespace Analytics.LoadTest.Model;

/// <summary>A customer institution: it belongs to an account and runs one named AI instance.</summary>
internal sealed record Institution(string Id, string AccountId, string Domain, string InstanceName, string AiName);
