using Dapper;

namespace Analytics.Api.Infrastructure;

/// <summary>Parameters for statements that name them as <c>{name:Type}</c>.</summary>
public static class QueryParameters
{
    /// <summary>
    /// Every member of <paramref name="values"/> as a parameter. Dapper would drop members it does not
    /// see written as <c>@name</c> in the statement; ClickHouse's placeholders look different.
    /// </summary>
    public static DynamicParameters From(object values) => new(values) { RemoveUnused = false };
}
