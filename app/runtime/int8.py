"""Int8 weights for the llm backend on CPU: every linear layer becomes a dynamically quantised one.

Why: on CPUs without native bf16 (AVX2: all our 2-core machines), PyTorch emulates bf16 matrix
products. Measured on one 13.7M-parameter MLP layer, 2 threads: bf16 takes 1.7 ms for one row and
11 ms for eight; fbgemm's int8 kernel (int8 weights with one scale per output channel, activations
quantised on each call) takes 0.6 ms and 1.2 ms, and reads a 300-token prompt 2× faster than fp32.
Batched decoding only pays off with such a kernel. One scale for a whole input tensor costs accuracy
when a few channels are large; smoothing.py moves that range into the weights first, which brought
ROUGE-L back to bf16's level (README). Everything else (embeddings, norms, attention) runs in fp32.

Two kernels read the same int8 copy (``cpu.int8_kernel`` picks one). ``DynamicInt8Linear`` (the
default) packs each weight for fbgemm at load, through the quantised-tensor API that PyTorch has
deprecated. ``Int8Linear`` keeps the weights as stored and multiplies with ``torch._int_mm`` (oneDNN;
exact only with VNNI: without it oneDNN's int8 product saturates), so a load is a read of the file and
no deprecated API is touched; but with more than one row oneDNN's product on an unpacked weight pays a
large fixed cost (gate_proj, one thread: 0.15 ms for one row, 0.86 ms for four), so batched decoding
steps are slower than fbgemm's. bench/bench_int8_kernels.py (single products) and
bench/bench_int8_model.py (the model) measure them side by side.

The int8 weights are computed once from the model's safetensors and kept beside them
(``zhaiyao-int8.safetensors``), so later loads only read them (and pack them, for fbgemm); the model is
assembled from its config without materialising the bf16 weights at all, which keeps peak memory low.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from app.errors import ModelError
from app.runtime.tensorfile import TensorFile

QUANTIZE_CHOICES = ("int8", "none")
INT8_FILE = "zhaiyao-int8.safetensors"
# Bump when the file's layout or the quantisation changes: an older file is rebuilt, not misread.
INT8_FORMAT = "3"


def quantize_weight(weight):
    """(int8 weight, fp32 scale per output channel): symmetric, so ``weight ≈ int8 × scale``."""
    import torch

    w = weight.detach().float()
    scale = (w.abs().amax(dim=1) / 127).clamp(min=1e-8)
    q = torch.clamp(torch.round(w / scale[:, None]), -127, 127).to(torch.int8)
    return q, scale


def int8_linear_class(kernel: str):
    """The int8 linear layer for ``kernel`` (see ``cpu.int8_kernel``): ``int_mm`` or ``fbgemm``."""
    return _int_mm_linear_class() if kernel == "int_mm" else _int8_linear_class()


@cache  # one class per kernel, so that isinstance works across loads
def _int_mm_linear_class():
    import torch

    class Int8Linear(torch.nn.Module):
        """``y = x Wᵀ + b`` with W kept as stored (int8 [out, in], one fp32 scale per output channel) and
        each row of x quantised to int8 on its own scale; the int8 × int8 → int32 product is oneDNN's
        (``torch._int_mm``), so nothing is packed at load and no quantised tensor is made."""

        def __init__(self, qweight: torch.Tensor, scale: torch.Tensor, bias: torch.Tensor | None) -> None:
            super().__init__()
            self.out_features, self.in_features = qweight.shape
            # Buffers, not parameters: nothing here is trained, and inference_mode needs no grad.
            self.register_buffer("qweight", qweight.contiguous(), persistent=False)
            self.register_buffer("scale", scale.float()[None, :], persistent=False)
            fbias = None if bias is None else bias.detach().float()
            self.register_buffer("bias", fbias, persistent=False)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shape = x.shape
            flat = x.reshape(-1, shape[-1]).float()
            # One scale per row (token), as fbgemm's path gets by scaling rows (see DynamicInt8Linear):
            # a row's result does not depend on its batch neighbours. Full 8-bit activations are exact
            # with VNNI (``cpu.int_mm_exact``); there is no 16-bit saturation to dodge.
            peak = flat.abs().amax(dim=1, keepdim=True).clamp_(min=1e-12)
            quantised = torch.mul(flat, 127 / peak).round_().to(torch.int8)  # |x| ≤ peak → |q| ≤ 127
            # [in, out] view of the [out, in] weight: oneDNN reads it transposed, no copy.
            y = torch._int_mm(quantised, self.qweight.t()).float().mul_(peak / 127)
            # (the casting int32 × fp32 product, or one with a rows × columns scale, is many times slower)
            if self.bias is None:
                return y.mul_(self.scale).reshape(*shape[:-1], self.out_features)
            y = torch.addcmul(self.bias, y, self.scale)
            return y.reshape(*shape[:-1], self.out_features)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, int8 (int_mm)"

    return Int8Linear


@cache
def _int8_linear_class():
    import torch

    class DynamicInt8Linear(torch.nn.Module):
        """``y = x Wᵀ + b`` with W held as per-output-channel int8 inside fbgemm's packed format."""

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
            fbias = None if bias is None else bias.detach().float()
            self.register_buffer("bias", fbias, persistent=False)  # loaded with the layer, not after

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            shape = x.shape
            flat = x.reshape(-1, shape[-1]).float()
            # fbgemm quantises the whole input with one scale, so one loud token (down_proj inputs
            # on a seed prompt: up to 43× the median token's range) coarsens every other row, and a
            # row's result changed with its batch neighbours. Scaling each row to the same range
            # first, and the results back (exact: the product is linear per row), gives every token
            # its own scale: bf16's greedy headline tokens kept 81.5% → 90.1% (README), for 0–15%
            # more time per product.
            # reduce_range: AVX2's u8×s8 multiply-add saturates at 16 bits; 7-bit activations avoid
            # it (without it, one random layer's error grew from 2% to 10% of the output range).
            if flat.shape[0] == 1:  # one row has its own scale already (most decoding steps)
                y = torch.ops.quantized.linear_dynamic(flat, self._packed, True)
            else:
                rows = flat.abs().amax(dim=1, keepdim=True).clamp(min=1e-12)
                y = torch.ops.quantized.linear_dynamic(flat / rows, self._packed, True).mul_(rows)
            if self.bias is not None:
                y += self.bias
            return y.reshape(*shape[:-1], self.out_features)

        def extra_repr(self) -> str:
            return f"in_features={self.in_features}, out_features={self.out_features}, int8"

    return DynamicInt8Linear


def _skeleton(path: Path):
    """The model's modules from its config, with no weights allocated (meta device)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(path, trust_remote_code=False)
    config.dtype = torch.float32
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config, trust_remote_code=False)


def _linear_names(model) -> list[str]:
    import torch

    return [name for name, module in model.named_modules() if isinstance(module, torch.nn.Linear)]


def _source_files(path: Path) -> list[Path]:
    files = sorted(p for p in path.glob("*.safetensors") if p.name != INT8_FILE)
    if not files:
        raise ModelError(f"{path}: no safetensors weights to quantise (try --quantize none)")
    return files


def write_int8_copy(path: Path, model=None, progress=None) -> Path:
    """Smooth (see smoothing.py) and quantise the folder's weights into ``INT8_FILE``, written under a
    temporary name and renamed into place. ``progress("int8", done, total)`` is called per tensor
    (one-off: a minute or two for 1.5B parameters on 2 cores, calibration included)."""
    from app.runtime import smoothing

    model = model if model is not None else _skeleton(path)
    linears = set(_linear_names(model))
    embedding = _input_embedding_key(model)
    head = _output_head_name(model)
    sources = [TensorFile(file) for file in _source_files(path)]
    try:
        where = {key: source for source in sources for key in source.names()}

        def weight_of(linear: str):
            key = f"{linear}.weight"
            if key not in where:  # a tied output head is stored only as the embedding matrix
                key = embedding
            return where[key].get(key)

        final_norm = "model.norm.weight" if "model.norm.weight" in where else ""
        smoother = smoothing.plan(
            path,
            model.config.model_type,
            sorted(linears),
            head,
            final_norm,
            lambda linear: weight_of(linear).float().abs().amax(dim=0),
        )
        tensors = {}
        keys = sorted(where)
        if head in linears and f"{head}.weight" not in where:
            keys.append(f"{head}.weight")
        for done, key in enumerate(keys, start=1):
            module = key.rsplit(".", 1)[0]
            if key.endswith(".weight") and module in linears:
                weight = weight_of(module)
                if smoother is not None:
                    weight = smoother.weight(module, weight)
                tensors[f"{module}.qweight"], tensors[f"{module}.scale"] = quantize_weight(weight)
            else:
                tensor = where[key].get(key)
                tensors[key] = tensor if smoother is None else smoother.other(key, tensor).contiguous()
            if progress:
                progress("int8", done, len(keys))
    finally:
        for source in sources:
            source.close()
    smoothed = f"smoothquant alpha={smoothing.ALPHA}" if smoother is not None else "none"
    return _save(path, tensors, {"zhaiyao_int8_format": INT8_FORMAT, "smoothing": smoothed})


def _save(path: Path, tensors: dict, metadata: dict[str, str]) -> Path:
    """Write the int8 copy under a temporary name and rename it into place."""
    from safetensors.torch import save_file

    target = path / INT8_FILE
    partial = path / f".{INT8_FILE}.partial-{os.getpid()}"
    try:
        save_file(tensors, str(partial), metadata=metadata)
        partial.chmod(0o644)  # a shared models cache is read by other users' runs too
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ModelError(f"{target}: cannot write the int8 copy: {exc}") from exc
    return target


def _input_embedding_key(model) -> str:
    embeddings = model.get_input_embeddings()
    name = next(n for n, m in model.named_modules() if m is embeddings)
    return f"{name}.weight"


def _output_head_name(model) -> str:
    head = model.get_output_embeddings()
    return next((n for n, m in model.named_modules() if m is head), "")


def _open_current(file: Path) -> TensorFile | None:
    if not file.is_file():
        return None
    try:
        tensors = TensorFile(file)
    except ModelError:
        return None
    if tensors.metadata.get("zhaiyao_int8_format") != INT8_FORMAT:
        tensors.close()
        return None
    return tensors


def ensure_int8_copy(path: Path, model=None, progress=None) -> Path:
    """The folder's current int8 copy, written first if missing, damaged or of an older format."""
    cached = path / INT8_FILE
    tensors = _open_current(cached)
    if tensors is None:
        write_int8_copy(path, model, progress)
    else:
        tensors.close()
    return cached


def load_int8_model(path: Path, threads: int = 2, progress=None, kernel: str = "fbgemm"):
    """The causal LM in ``path`` with int8 linear layers (``kernel``: ``fbgemm`` | ``int_mm``, checked by
    ``cpu.int8_kernel``) and everything else in fp32, ready for eval."""
    from app.runtime.cpu import int8_kernel

    model = _skeleton(path)
    tensors = TensorFile(ensure_int8_copy(path, model, progress))
    try:
        _fill(model, tensors, threads, int8_kernel(kernel))
    finally:
        tensors.close()
    _materialise_buffers(model)
    model.eval()
    return model


def _fill(model, tensors: TensorFile, threads: int, kernel: str) -> None:
    int8_linear = int8_linear_class(kernel)
    names = _linear_names(model)
    keys = tensors.names()
    missing = [n for n in names if f"{n}.qweight" not in keys]
    if missing:
        raise ModelError(f"{tensors.file}: no int8 weights for {missing[0]} (delete the file to rebuild it)")

    def build(name: str):
        bias_key = f"{name}.bias"
        bias = tensors.get(bias_key) if bias_key in keys else None
        return name, int8_linear(tensors.get(f"{name}.qweight"), tensors.get(f"{name}.scale"), bias)

    # fbgemm packs on one thread; layers are packed (and read) side by side (~2× faster on 2 cores).
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for name, module in pool.map(build, names):
            model.set_submodule(name, module)
    linear_keys = {f"{n}.{part}" for n in names for part in ("qweight", "scale", "bias")}
    embedding = _input_embedding_key(model)
    rest = {k: tensors.get(k) for k in keys if k not in linear_keys}
    # The embedding matrix stays as stored (bf16: half the memory of fp32); only the rows looked up
    # are cast to fp32, by the hook below. Everything else is small and becomes fp32.
    rest = {k: t if k == embedding else t.float() for k, t in rest.items()}
    result = model.load_state_dict(rest, strict=False, assign=True)
    if result.unexpected_keys or result.missing_keys:
        raise ModelError(
            f"{tensors.file}: weights do not match the model's config "
            f"(missing {result.missing_keys[:3]}, unexpected {result.unexpected_keys[:3]})"
        )
    model.get_input_embeddings().register_forward_hook(lambda _module, _args, out: out.float())


def _materialise_buffers(model) -> None:
    """Rebuild modules whose computed (non-saved) buffers, e.g. rotary frequencies, are still on meta."""
    for name, module in list(model.named_modules()):
        if any(b.is_meta for b in module.buffers(recurse=False)):
            try:
                fresh = type(module)(config=model.config)
            except TypeError as exc:
                raise ModelError(
                    f"cannot rebuild {type(module).__name__} for int8 loading: {exc} (try --quantize none)"
                ) from exc
            model.set_submodule(name, fresh)
    leftover = [n for n, b in model.named_buffers() if b.is_meta]
    if leftover:
        raise ModelError(f"int8 loading left {leftover[0]} unset (try --quantize none)")
