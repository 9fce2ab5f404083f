"""Reading single tensors out of a safetensors file, without mapping the whole file.

safetensors' own reader maps the whole file; every page it touches then counts towards the process's
resident memory until the map is dropped, which doubled the int8 load's peak. Plain reads
(``os.pread``, thread-safe) copy just the tensor asked for.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from zhaiyao.errors import ModelError

_DTYPES = {
    "I8": "int8",
    "U8": "uint8",
    "I32": "int32",
    "I64": "int64",
    "F16": "float16",
    "BF16": "bfloat16",
    "F32": "float32",
    "F64": "float64",
    "BOOL": "bool",
}


class TensorFile:
    """One open safetensors file: its header, its metadata, and any tensor read on request."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._fd = os.open(file, os.O_RDONLY)
        try:
            size = int.from_bytes(os.pread(self._fd, 8, 0), "little")
            if not 0 < size <= os.fstat(self._fd).st_size - 8:
                raise ValueError(f"header length {size} does not fit the file")
            header = json.loads(os.pread(self._fd, size, 8))
            if not isinstance(header, dict):
                raise ValueError("header is not a JSON object")
        except (OSError, ValueError) as exc:
            os.close(self._fd)
            raise ModelError(f"{file}: not a readable safetensors file: {exc}") from exc
        self.metadata: dict[str, str] = header.pop("__metadata__", {}) or {}
        self._entries: dict[str, dict] = header
        self._data_start = 8 + size

    def names(self) -> set[str]:
        return set(self._entries)

    def get(self, name: str):
        import torch

        entry = self._entries[name]
        begin, end = entry["data_offsets"]
        dtype = getattr(torch, _DTYPES[entry["dtype"]])
        buffer = bytearray(end - begin)
        view = memoryview(buffer)
        done = 0
        while done < len(buffer):  # straight into the tensor's memory; a large read may come in parts
            got = os.preadv(self._fd, [view[done:]], self._data_start + begin + done)
            if got <= 0:
                raise ModelError(f"{self.file}: truncated at tensor {name}")
            done += got
        if not buffer:
            return torch.empty(entry["shape"], dtype=dtype)
        return torch.frombuffer(buffer, dtype=dtype).reshape(entry["shape"])

    def close(self) -> None:
        os.close(self._fd)
