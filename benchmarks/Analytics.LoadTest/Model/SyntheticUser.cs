namespace Analytics.LoadTest.Model;

/// <summary>A person calling the gateway. Some users work for a second institution now and then.</summary>
internal sealed record SyntheticUser(
    string Id, string Email, string FirstName, string LastName, string Role,
    Institution Institution, Institution? SecondInstitution, Product HomeProduct, double ApiShare);
