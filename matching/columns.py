"""Growable per-slot numpy columns, kept in step with SparseRows (same slots, same swap-on-remove).

The slot axis is the last one: a multi-word column such as the availability mask is stored word-major, (words, n),
so scoring reads each word as one contiguous array (about 4× faster than striding through (n, words)).
"""
import numpy as np


class Columns:
    """Named arrays of shape (*tail, n) with amortised O(1) append, in-place set and swap-remove."""

    def __init__(self, spec: dict[str, tuple[type, tuple[int, ...]]], data: dict[str, list] | None = None):
        self._n = len(next(iter(data.values()))) if data else 0
        capacity = max(16, self._n)
        self._arrays = {}
        for name, (dtype, tail) in spec.items():
            array = np.zeros((*tail, capacity), dtype=dtype)
            if self._n:
                array[..., : self._n] = np.moveaxis(np.asarray(data[name], dtype=dtype).reshape(self._n, *tail), 0, -1)
            self._arrays[name] = array

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name][..., : self._n]

    def set(self, slot: int, values: dict) -> None:
        """Write one row; slot == len(self) appends (doubling the storage when full)."""
        if slot == self._n:
            if self._n == next(iter(self._arrays.values())).shape[-1]:
                self._arrays = {name: np.concatenate([a, np.zeros_like(a)], axis=-1)
                                for name, a in self._arrays.items()}
            self._n += 1
        for name, value in values.items():
            self._arrays[name][..., slot] = value

    def remove(self, slot: int) -> None:
        """Move the last row into `slot` and shrink by one."""
        last = self._n - 1
        for array in self._arrays.values():
            array[..., slot] = array[..., last]
        self._n -= 1
