using System.Globalization;

namespace Analytics.Api.Features.Shared;

/// <summary>Decimals as the JSON numbers clients expect: no trailing zeros from the column's scale.</summary>
internal static class JsonDecimal
{
    /// <summary><c>1.500000</c> becomes <c>1.5</c>, <c>0.000000</c> becomes <c>0</c>; the value is unchanged.</summary>
    public static decimal Normalize(decimal value) => value == 0m
        ? 0m
        : decimal.Parse(value.ToString("0.############################", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Rounds half away from zero to <paramref name="decimals"/> places, then normalizes.</summary>
    public static decimal Round(decimal value, int decimals) => Normalize(Math.Round(value, decimals, MidpointRounding.AwayFromZero));
}
