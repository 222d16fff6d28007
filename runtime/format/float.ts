/**
 * Python-exact float formatting for `%e %f %g` and `repr(float)`. JavaScript's `toFixed` and
 * `toExponential` round ties away from zero and switch notation at different magnitudes; CPython
 * rounds the exact binary value half-to-even. So digits come from the exact decimal expansion of the
 * double (BigInt arithmetic), rounded here.
 */

interface Decimal {
  /** Significant digits without leading zeros ('0' for zero). */
  digits: string;
  /** The value is 0.digits × 10^exponent. */
  exponent: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(value: number): Decimal {
  if (value === 0) return { digits: '0', exponent: 1 };
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent2: number;
  if (biased === 0) {
    exponent2 = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent2 = biased - 1075;
  }
  let digits: string;
  let pointFromRight: number;
  if (exponent2 >= 0) {
    digits = (mantissa << BigInt(exponent2)).toString();
    pointFromRight = 0;
  } else {
    digits = (mantissa * 5n ** BigInt(-exponent2)).toString();
    pointFromRight = -exponent2;
  }
  const stripped = digits.replace(/^0+/, '');
  const exponent = digits.length - pointFromRight - (digits.length - stripped.length);
  return { digits: stripped.replace(/0+$/, '') || '0', exponent };
}

/** `integer / 10^shift`, rounded half to even (shift > 0). */
function divideHalfEven(integer: bigint, shift: number): bigint {
  const divisor = 10n ** BigInt(shift);
  const quotient = integer / divisor;
  const twiceRemainder = (integer % divisor) * 2n;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

/** Rounds to `count` (≥ 1) significant digits, half to even on the exact value. */
function roundSignificant(decimal: Decimal, count: number): Decimal {
  const { digits } = decimal;
  if (count >= digits.length) return { digits: digits.padEnd(count, '0'), exponent: decimal.exponent };
  const rounded = divideHalfEven(BigInt(digits), digits.length - count).toString();
  // A carry (9.99 → 10.0) adds a digit: the value moved up one decade.
  if (rounded.length > count) return { digits: rounded.slice(0, count), exponent: decimal.exponent + 1 };
  return { digits: rounded, exponent: decimal.exponent };
}

function exponentText(exponent: number, upper: boolean): string {
  const sign = exponent < 0 ? '-' : '+';
  return `${upper ? 'E' : 'e'}${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** `%.{precision}e` of a finite non-negative value. */
function scientific(value: number, precision: number, alternate: boolean, upper: boolean): string {
  const rounded = value === 0 ? { digits: '0'.repeat(precision + 1), exponent: 1 } : roundSignificant(exactDecimal(value), precision + 1);
  const fraction = rounded.digits.slice(1);
  const point = fraction.length > 0 || alternate ? '.' : '';
  return `${rounded.digits[0]}${point}${fraction}${exponentText(value === 0 ? 0 : rounded.exponent - 1, upper)}`;
}

/** `%.{precision}f` of a finite non-negative value. */
function fixed(value: number, precision: number, alternate: boolean): string {
  const decimal = exactDecimal(value);
  // The value is digits × 10^(exponent − length); scale it by 10^precision and round to an integer.
  const shift = decimal.digits.length - decimal.exponent - precision;
  const scaled =
    shift > 0 ? divideHalfEven(BigInt(decimal.digits), shift) : BigInt(decimal.digits) * 10n ** BigInt(-shift);
  const text = scaled.toString().padStart(precision + 1, '0');
  const integer = text.slice(0, text.length - precision);
  const fraction = text.slice(text.length - precision);
  const point = precision > 0 || alternate ? '.' : '';
  return `${integer}${point}${fraction}`;
}

/** `%.{precision}g` of a finite non-negative value. */
function general(value: number, precision: number, alternate: boolean, upper: boolean): string {
  const significant = precision === 0 ? 1 : precision;
  const exponent = value === 0 ? 0 : roundSignificant(exactDecimal(value), significant).exponent - 1;
  let text =
    exponent >= -4 && exponent < significant
      ? fixed(value, significant - 1 - exponent, alternate)
      : scientific(value, significant - 1, alternate, upper);
  if (!alternate) {
    text = text.replace(/(\.\d*?)0+(?=$|[eE])/, '$1').replace(/\.(?=$|[eE])/, '');
  }
  return text;
}

/** Formats a float for `%e %E %f %F %g %G` without sign handling: returns [isNegative, body]. */
export function formatFloat(value: number, conversion: string, precision: number, alternate: boolean): [boolean, string] {
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  const upper = conversion === 'E' || conversion === 'F' || conversion === 'G';
  if (Number.isNaN(value)) return [false, upper ? 'NAN' : 'nan'];
  if (!Number.isFinite(value)) return [negative, upper ? 'INF' : 'inf'];
  switch (conversion) {
    case 'e':
    case 'E':
      return [negative, scientific(magnitude, precision, alternate, upper)];
    case 'f':
    case 'F':
      return [negative, fixed(magnitude, precision, alternate)];
    default:
      return [negative, general(magnitude, precision, alternate, upper)];
  }
}

/** Python's `repr(float)`: the shortest round-tripping digits, fixed between 1e-4 and 1e16. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value < 0 ? '-inf' : 'inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentPart] = Math.abs(value).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentPart);
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      const integer = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const fraction = digits.slice(exponent + 1) || '0';
      return `${sign}${integer}.${fraction}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
  return `${sign}${digits[0]}${fraction}${exponentText(exponent, false)}`;
}
