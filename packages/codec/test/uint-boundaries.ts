/**
 * Unsigned integers around every boundary of CBOR's shortest form (24, 2^8, 2^16, 2^32), of
 * JavaScript's safe integers and of 64 bits: where a head's size changes.
 */
export const UINT_BOUNDARIES = [
  0n,
  1n,
  23n,
  24n,
  255n,
  256n,
  65_535n,
  65_536n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
];
