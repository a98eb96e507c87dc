// Exact rationals over BigInt. The live score must equal the server's to the last
// digit, and floating point cannot promise that (100 × 2/3 weighted by 0.1 already
// drifts), so the browser computes with fractions exactly as chalicelib does.

const ZERO = 0n;
const ONE = 1n;

function gcd(a, b) {
  let x = a < ZERO ? -a : a;
  let y = b < ZERO ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x;
}

export class Fraction {
  constructor(numerator, denominator = ONE) {
    let n = BigInt(numerator);
    let d = BigInt(denominator);
    if (d === ZERO) throw new RangeError("division by zero");
    if (d < ZERO) [n, d] = [-n, -d];
    const g = gcd(n, d) || ONE;
    this.n = n / g;
    this.d = d / g;
  }

  add(other) {
    return new Fraction(this.n * other.d + other.n * this.d, this.d * other.d);
  }

  mul(other) {
    return new Fraction(this.n * other.n, this.d * other.d);
  }

  div(other) {
    return new Fraction(this.n * other.d, this.d * other.n);
  }

  isZero() {
    return this.n === ZERO;
  }
}

export const fraction = (n, d = 1) => new Fraction(BigInt(n), BigInt(d));

/** A decimal number as text ("0.1", "2.5e-3", "1000") or a JS number, exactly.
 * A number goes through its shortest round-trip text, which is what Python's
 * float repr gives for the same JSON value. */
export function parseDecimal(value) {
  const text = typeof value === "number" ? String(value) : String(value).trim();
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) {
    throw new RangeError(`not a decimal number: ${text}`);
  }
  const [, sign, whole, part = "", exp = "0"] = match;
  let n = BigInt((whole || "0") + part);
  let d = 10n ** BigInt(part.length);
  const e = BigInt(exp);
  if (e >= ZERO) n *= 10n ** e;
  else d *= 10n ** -e;
  return new Fraction(sign === "-" ? -n : n, d);
}

/** `value` rounded to `places` decimals, as an integer count of 10^-places units.
 * mode "half-up" rounds ties away from zero (Decimal's ROUND_HALF_UP), "half-even"
 * to the even neighbour (ROUND_HALF_EVEN). */
export function roundScaled(value, places, mode) {
  const scale = 10n ** BigInt(places);
  const negative = value.n < ZERO;
  const n = (negative ? -value.n : value.n) * scale;
  let q = n / value.d;
  const twiceRemainder = (n % value.d) * 2n;
  if (twiceRemainder > value.d) q += ONE;
  else if (twiceRemainder === value.d) {
    if (mode === "half-up" || q % 2n === ONE) q += ONE;
  }
  return negative ? -q : q;
}

/** An integer count of 10^-places units as plain decimal text, like Decimal's "f" format. */
export function scaledToString(scaled, places) {
  const negative = scaled < ZERO;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, "0");
  const text = places ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
  return negative ? `-${text}` : text;
}
