"""Bit-exact ports of the bits of the Java library that RCTab's random tie-breaks depend on.

RCTab breaks ties with `java.util.Random(seed)` (`random`, `previousRoundCountsThenRandom`) or with a
candidate permutation made by `Collections.shuffle(sortedNames, new Random(seed))` (`generatePermutation`).
When a previous-round comparison narrows a tie, the survivors come back in `java.util.HashSet` iteration
order, so that
order is ported too. Reproducing RCTab's published results needs all three exactly (counting.md §6).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

_MULTIPLIER = 0x5DEECE66D
_ADDEND = 0xB
_MASK = (1 << 48) - 1

T = TypeVar("T")


def _to_int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


class JavaRandom:
    """`java.util.Random`: the 48-bit linear congruential generator, same seed, same sequence."""

    __slots__ = ("_seed",)

    def __init__(self, seed: int) -> None:
        self._seed = (seed ^ _MULTIPLIER) & _MASK

    def next_bits(self, bits: int) -> int:
        """`Random.next(bits)`: the top `bits` bits of the next state, as a signed 32-bit int."""
        self._seed = (self._seed * _MULTIPLIER + _ADDEND) & _MASK
        return _to_int32(self._seed >> (48 - bits))

    def next_int(self, bound: int | None = None) -> int:
        """`nextInt()` or `nextInt(bound)`, including Java's rejection loop for non-power-of-two bounds."""
        if bound is None:
            return self.next_bits(32)
        if bound <= 0:
            raise ValueError("bound must be positive")
        if bound & -bound == bound:
            return (bound * self.next_bits(31)) >> 31
        while True:
            bits = self.next_bits(31)
            val = bits % bound
            # Java rejects when bits - val + (bound - 1) overflows a signed int.
            if bits - val + (bound - 1) < (1 << 31):
                return val

    def next_long(self) -> int:
        """`nextLong()`: two 32-bit draws combined as Java does, as a signed 64-bit int."""
        value = (self.next_bits(32) << 32) + self.next_bits(32)
        value &= (1 << 64) - 1
        return value - (1 << 64) if value >> 63 else value

    def next_double_parts(self) -> int:
        """The 53-bit integer behind `nextDouble()`; the double is this / 2**53, exactly."""
        return (self.next_bits(26) << 27) + self.next_bits(27)

    def next_double(self) -> float:
        """`nextDouble()`, for display only: tie-breaks use `next_index` so no float enters a decision."""
        return self.next_double_parts() / float(1 << 53)

    def next_index(self, size: int) -> int:
        """`(int) Math.floor(nextDouble() * size)`, with the double product's rounding emulated in integers.

        `nextDouble()` is k / 2**53 exactly; Java's `k/2**53 * size` rounds k*size to 53 significant bits
        (round half to even) before the floor, and so does this.
        """
        if size <= 0:
            raise ValueError("size must be positive")
        product = self.next_double_parts() * size
        extra = product.bit_length() - 53
        if extra > 0:
            quotient, remainder = divmod(product, 1 << extra)
            half = 1 << (extra - 1)
            if remainder > half or (remainder == half and quotient & 1):
                quotient += 1
            product = quotient << extra
        return product >> 53


def java_shuffle(items: Sequence[T], rnd: JavaRandom) -> list[T]:
    """`Collections.shuffle(list, rnd)`: swap i-1 with `nextInt(i)` for i from size down to 2."""
    out = list(items)
    for i in range(len(out), 1, -1):
        j = rnd.next_int(i)
        out[i - 1], out[j] = out[j], out[i - 1]
    return out


def java_string_hash(text: str) -> int:
    """`String.hashCode()`: s[0]*31^(n-1) + ... over UTF-16 code units, as a signed 32-bit int."""
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return _to_int32(h)


def java_hash_set_order(items: Sequence[str]) -> list[str]:
    """The iteration order of `new HashSet<>(items)` for strings (Java 8+ `HashMap` layout).

    Capacity is the next power of two at or above max(size/0.75 + 1, 16); a key's bucket is
    `(h ^ (h >>> 16)) & (capacity - 1)`; iteration walks the buckets in order, each bucket in insertion order.
    """
    unique = list(dict.fromkeys(items))
    wanted = max(int(len(unique) / 0.75) + 1, 16)
    capacity = 1
    while capacity < wanted:
        capacity <<= 1
    buckets: dict[int, list[str]] = {}
    for key in unique:
        h = java_string_hash(key) & 0xFFFFFFFF
        spread = h ^ (h >> 16)
        buckets.setdefault(spread & (capacity - 1), []).append(key)
    return [key for index in sorted(buckets) for key in buckets[index]]
