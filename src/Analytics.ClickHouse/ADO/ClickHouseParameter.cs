using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Analytics.ClickHouse.Types;

namespace Analytics.ClickHouse.ADO;

/// <summary>
/// A server-side query parameter, bound to a <c>{name:Type}</c> placeholder in the statement. The
/// value travels beside the SQL, never inside it.
/// </summary>
public sealed class ClickHouseParameter : DbParameter
{
    private string parameterName = string.Empty;

    /// <summary>Creates an unnamed parameter.</summary>
    public ClickHouseParameter()
    {
    }

    /// <summary>Creates a parameter with a name and value.</summary>
    public ClickHouseParameter(string name, object? value)
    {
        ParameterName = name;
        Value = value;
    }

    /// <summary>
    /// The ClickHouse type to render the value as when the statement's placeholder does not say
    /// (the placeholder's type always wins). Inferred from the value when null.
    /// </summary>
    public string? ClickHouseType { get; set; }

    /// <inheritdoc />
    public override DbType DbType { get; set; } = DbType.Object;

    /// <inheritdoc />
    public override ParameterDirection Direction
    {
        get => ParameterDirection.Input;
        set
        {
            if (value != ParameterDirection.Input)
            {
                throw new NotSupportedException("ClickHouse parameters are input-only.");
            }
        }
    }

    /// <inheritdoc />
    public override bool IsNullable { get; set; }

    /// <summary>The name, without any <c>@</c>, <c>:</c> or <c>$</c> prefix.</summary>
    [AllowNull]
    public override string ParameterName
    {
        get => parameterName;
        set => parameterName = (value ?? string.Empty).TrimStart('@', ':', '$', '?');
    }

    /// <inheritdoc />
    public override int Size { get; set; }

    /// <inheritdoc />
    [AllowNull]
    public override string SourceColumn { get; set; } = string.Empty;

    /// <inheritdoc />
    public override bool SourceColumnNullMapping { get; set; }

    /// <inheritdoc />
    public override object? Value { get; set; }

    /// <inheritdoc />
    public override void ResetDbType() => DbType = DbType.Object;

    /// <summary>The type the value is rendered as when the placeholder names none.</summary>
    internal ClickHouseType ResolveType()
    {
        if (ClickHouseType is { } name)
        {
            return Types.ClickHouseType.Parse(name);
        }

        return Value is null or DBNull && DbType != DbType.Object
            ? ClickHouseTypeInference.FromDbType(DbType)
            : ClickHouseTypeInference.FromValue(Value);
    }
}
