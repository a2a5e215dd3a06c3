using System.Globalization;
using System.Text;

namespace Bottleneck.Layers;

/// <summary>Numbers written as Python's repr() writes them, so Describe() matches PyTorch's module repr.</summary>
internal static class PythonRepr
{
    public static string Bool(bool value) => value ? "True" : "False";

    /// <summary>
    /// A float as Python writes it: the shortest digits that round-trip, positional with a ".0"
    /// when the decimal exponent is in [-4, 16), otherwise like "1e-05".
    /// </summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        // "E16" would give 17 digits; "R" gives the shortest round-trip digits, in either notation.
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int exponentAt = r.IndexOfAny(['E', 'e']);
        string mantissa = exponentAt < 0 ? r : r[..exponentAt];
        int exponent = exponentAt < 0 ? 0 : int.Parse(r[(exponentAt + 1)..], CultureInfo.InvariantCulture);
        int point = mantissa.IndexOf('.');
        string digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        int integerDigits = point < 0 ? mantissa.Length : point;
        int leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0') leadingZeros++;
        digits = digits[leadingZeros..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        // Decimal exponent of the first significant digit.
        int decimalExponent = exponent + integerDigits - 1 - leadingZeros;

        var sb = new StringBuilder();
        if (value < 0) sb.Append('-');
        if (decimalExponent < -4 || decimalExponent >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(decimalExponent < 0 ? '-' : '+').Append(Math.Abs(decimalExponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decimalExponent < 0)
        {
            sb.Append("0.").Append('0', -decimalExponent - 1).Append(digits);
        }
        else if (digits.Length <= decimalExponent + 1)
        {
            sb.Append(digits).Append('0', decimalExponent + 1 - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, decimalExponent + 1).Append('.').Append(digits, decimalExponent + 1, digits.Length - decimalExponent - 1);
        }
        return sb.ToString();
    }

    public static string Pair(int a, int b) => $"({a}, {b})";
}
