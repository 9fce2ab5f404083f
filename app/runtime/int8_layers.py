"""Int8 linear layers: ``y = x Wᵀ + b`` with W stored as int8 [out, in] and one fp32 scale per output
channel, three kernels over the same stored weights (``cpu.int8_kernel`` picks one).

Every kernel gives each row (token) of x its own activation scale, so a row's result does not depend on
its batch neighbours and one loud token does not coarsen the others.

- ``onednn`` (the default): oneDNN's u8 × s8 product on a weight packed into oneDNN's blocked layout
  at load (``qlinear_prepack``), activations as u8 around a zero point. Plain tensors only: no
  quantised tensor is made and no deprecated API is touched. Exact at full 8-bit range with VNNI;
  without it (AVX2) oneDNN adds pairs of products in 16 bits, so activations keep 7 bits there, as
  fbgemm's ``reduce_range`` does.
- ``int_mm``: ``torch._int_mm`` on the weight as stored: nothing packed, but oneDNN then reorders the
  weight on every call, which makes batched decoding steps slow. Its int32 products equal onednn's
  (with VNNI), so it also serves a onednn layer that is not packed yet.
- ``fbgemm``: fbgemm's dynamic int8 layer, through the quantised-tensor API PyTorch has deprecated;
  kept to compare with and for machines where oneDNN's int8 product is missing.
"""

from __future__ import annotations

import warnings
from functools import cache


def int8_linear_class(kernel: str):
    """The int8 linear layer for ``kernel``: ``onednn``, ``int_mm`` or ``fbgemm``."""
    return {"onednn": _onednn_class, "int_mm": _int_mm_class, "fbgemm": _fbgemm_class}[kernel]()


def _register_bias(layer, bias) -> None:
    # A buffer, not a parameter: nothing here is trained; loaded with the layer, not after.
    layer.register_buffer("bias", None if bias is None else bias.detach().float(), persistent=False)


def _row_peaks(flat):
    """Each row's largest magnitude, kept off zero."""
    import torch

    # Not vector_norm(ord=inf): the same value, but an order of magnitude slower on CPU.
    return torch.maximum(flat.amax(1, keepdim=True), flat.amin(1, keepdim=True).neg_()).clamp_(min=1e-12)


def _scaled_back(y, step, bias):
    """``y × step + bias`` in place: an out-of-place result is a fresh allocation per product."""
    y = y.mul_(step)
    return y if bias is None else y.add_(bias)


def _onednn_product(layer, codes, zero: int):
    """``codes`` (u8 around ``zero``) × the layer's weight, scaled per output channel."""
    import torch

    plain = layer._plain  # read before the packed weight: see pack()
    packed = layer._packed
    if packed is not None:
        return torch.ops.onednn.qlinear_pointwise(
            codes, 1.0, zero, packed, layer.scale, layer.zeros, None, 1.0, 0, torch.float32, "none", [], ""
        )
    signed = torch.bitwise_xor(codes, 128).view(torch.int8)  # u8 − 128 as s8: zero point 128 (VNNI only)
    return torch._int_mm(signed, plain.t()).float().mul_(layer.scale)


@cache  # one class per kernel, so that isinstance works across loads
def _onednn_class():
    import torch
    from zhaiyao.runtime.cpu import int_mm_exact

    # u8 codes = round(x / peak × levels) + zero: full 8 bits with VNNI, 7 bits where pairs of
    # products are summed in 16 bits (127 × 127 × 2 < 2¹⁵).
    levels, zero = (127, 128) if int_mm_exact() else (63, 64)

    class OneDnnInt8Linear(torch.nn.Module):
        """Packed for oneDNN by ``pack()``; until then (a background load, int8.py) the same codes go
        through ``torch._int_mm`` on the weight as stored, which gives the same int32 products."""

        def __init__(
            self, qweight: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor | None, pack: bool = True
        ) -> None:
            super().__init__()
            self.out_features, self.in_features = qweight.shape
            self._plain: torch.Tensor | None = qweight.contiguous()
            self._packed: torch.Tensor | None = None
            self.register_buffer("scale", scale.float().contiguous(), persistent=False)
            self.register_buffer("zeros", torch.zeros(self.out_features, dtype=torch.int32), persistent=False)
            _register_bias(self, bias)
            self._offset = zero + 0.5  # + 0.5, then the cast's truncation: rounding, in one pass
            if pack:
                self.pack()

        def pack(self) -> None:
            """Pack the weight into oneDNN's layout and let the stored one go (thread-safe with forward:
            the packed weight is in place before the plain one is dropped)."""
            plain = self._plain
            if plain is not None:
                self._packed = torch.ops.onednn.qlinear_prepack(plain, None)
                self._plain = None

        @property
        def packed(self) -> bool:
            return self._plain is None

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shape = x.shape
            flat = x.reshape(-1, shape[-1]).float()
            peak = _row_peaks(flat)
            # Multiply, then add in place: addcmul's broadcast of the scalar is slower and allocates.
            codes = torch.mul(flat, levels / peak).add_(self._offset).to(torch.uint8)
            y = _scaled_back(_onednn_product(self, codes, zero), peak / levels, self.bias)
            return y.reshape(*shape[:-1], self.out_features)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, int8 (onednn)"

    return OneDnnInt8Linear


@cache
def _int_mm_class():
    import torch

    class Int8Linear(torch.nn.Module):
        """The stored weight multiplied as it is, by ``torch._int_mm`` (exact only with VNNI)."""

        def __init__(self, qweight: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor | None) -> None:
            super().__init__()
            self.out_features, self.in_features = qweight.shape
            # Buffers, not parameters: nothing here is trained, and inference_mode needs no grad.
            self.register_buffer("qweight", qweight.contiguous(), persistent=False)
            self.register_buffer("scale", scale.float()[None, :], persistent=False)
            _register_bias(self, bias)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shape = x.shape
            flat = x.reshape(-1, shape[-1]).float()
            peak = _row_peaks(flat)
            quantised = torch.mul(flat, 127 / peak).round_().to(torch.int8)  # |x| ≤ peak → |q| ≤ 127
            # [in, out] view of the [out, in] weight: oneDNN reads it transposed, no copy.
            y = torch._int_mm(quantised, self.qweight.t()).float().mul_(peak / 127)
            return _scaled_back(y, self.scale, self.bias).reshape(*shape[:-1], self.out_features)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, int8 (int_mm)"

    return Int8Linear


@cache
def _fbgemm_class():
    import torch

    class DynamicInt8Linear(torch.nn.Module):
        """W held as per-output-channel int8 inside fbgemm's packed format."""

        def __init__(self, qweight: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor | None) -> None:
            super().__init__()
            self.out_features, self.in_features = qweight.shape
            zero = torch.zeros(self.out_features, dtype=torch.long)
            with warnings.catch_warnings():
                # Quantised tensors are deprecated as a user type, but they are what fbgemm packs.
                warnings.simplefilter("ignore")
                packed_from = torch._make_per_channel_quantized_tensor(qweight, scale.double(), zero, 0)
            # The bias is added after the rows are scaled back (forward), so fbgemm packs none.
            self._packed = torch.ops.quantized.linear_prepack(packed_from, None)
            _register_bias(self, bias)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shape = x.shape
            flat = x.reshape(-1, shape[-1]).float()
            # fbgemm quantises the whole input with one scale: scaling each row to the same range
            # first, and the results back (exact: the product is linear per row), gives every token
            # its own scale. reduce_range (7-bit activations): AVX2's u8×s8 multiply-add saturates at
            # 16 bits.
            if flat.shape[0] == 1:  # one row has its own scale already (most decoding steps)
                y = torch.ops.quantized.linear_dynamic(flat, self._packed, True)
            else:
                rows = _row_peaks(flat)
                y = torch.ops.quantized.linear_dynamic(flat / rows, self._packed, True).mul_(rows)
            if self.bias is not None:
                y += self.bias
            return y.reshape(*shape[:-1], self.out_features)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, int8 (fbgemm)"

    return DynamicInt8Linear
