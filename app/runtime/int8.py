"""Int8 weights for the llm backend on CPU: every linear layer becomes an int8 one (int8_layers.py).

Why: a decoding step is bound by reading the weights, and int8 halves that against bf16; prompt reading
is bound by multiply-adds, which VNNI does four at a time in int8. One scale for a whole input tensor
costs accuracy when a few channels are large; smoothing.py moves that range into the weights first,
which brought ROUGE-L back to bf16's level (docs/speed.md). Everything else (embeddings, norms,
attention) runs in fp32.

The int8 weights are computed once from the model's safetensors and kept beside them
(``zhaiyao-int8.safetensors``), so later loads only read them and pack them for the kernel; the model is
assembled from its config without materialising the bf16 weights at all, which keeps peak memory low.
Reading and packing run on worker threads while the main thread imports the model's code and builds
its skeleton, which takes as long again; siblings that read one input (q/k/v, gate/up) are packed as one
weight (fusion.py).
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from zhaiyao.config import CHOICES
from zhaiyao.errors import ModelError
from zhaiyao.runtime.derived import write_derived
from zhaiyao.runtime.fusion import SharedProduct, shared_linear_class, sibling_groups
from zhaiyao.runtime.int8_layers import int8_linear_class
from zhaiyao.runtime.tensorfile import TensorFile

QUANTIZE_CHOICES = CHOICES["quantize"]
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
    from zhaiyao.runtime import smoothing

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
    try:
        write_derived(target, lambda partial: save_file(tensors, str(partial), metadata=metadata))
    except OSError as exc:
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


def load_int8_model(
    path: Path,
    threads: int = 2,
    progress=None,
    kernel: str = "onednn",
    background: bool = True,
    fuse: bool = True,
):
    """The causal LM in ``path`` with int8 linear layers (``kernel``, checked by ``cpu.int8_kernel``) and
    everything else in fp32, ready for eval.

    With ``background`` (onednn, where its unpacked stand-in is exact), the model is returned before its
    weights are packed: a thread packs them while the first prompt is read through the stand-in (same
    int32 products), and ``packing_done(model)`` waits for it."""
    from zhaiyao.runtime.cpu import int8_kernel, int_mm_exact

    kernel = int8_kernel(kernel)
    background = background and kernel == "onednn" and int_mm_exact()
    tensors = _open_current(path / INT8_FILE)
    if tensors is None:  # first use: writing the copy needs the model's structure first
        write_int8_copy(path, _skeleton(path), progress)
        tensors = TensorFile(path / INT8_FILE)
    try:
        with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            layers = _build_layers(pool, tensors, kernel, pack=not background, fuse=fuse)
            model = _skeleton(path)  # meanwhile: importing the model's code is most of a load
            _install(model, layers, tensors)
    finally:
        tensors.close()
    _materialise_buffers(model)
    model.eval()
    if background:
        _pack_in_background(model, threads)
    return model


def _pack_in_background(model, threads: int) -> None:
    layers = [m for m in model.modules() if callable(getattr(m, "pack", None))]

    def pack_all() -> None:
        # In model order: the first forward finds the early layers packed first.
        with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="zhaiyao-packing") as pool:
            list(pool.map(lambda layer: layer.pack(), layers))

    # Not a daemon: an exit right after a short job waits for the packing instead of killing the
    # thread inside oneDNN.
    thread = threading.Thread(target=pack_all, name="zhaiyao-int8-packing")
    model._zhaiyao_packing = thread
    thread.start()


def packing_done(model, timeout: float | None = None) -> bool:
    """Wait for a background packing (load_int8_model) to finish; whether it has."""
    thread = getattr(model, "_zhaiyao_packing", None)
    if thread is not None:
        thread.join(timeout)
        return not thread.is_alive()
    return True


def _build_layers(
    pool: ThreadPoolExecutor, tensors: TensorFile, kernel: str, pack: bool = True, fuse: bool = True
) -> dict:
    """Linear name → future of its int8 module; siblings that share an input get one fused product."""
    import torch

    int8_linear = int8_linear_class(kernel)
    if not pack:
        int8_linear = functools.partial(int8_linear, pack=False)
    keys = tensors.names()
    names = sorted(k.removesuffix(".qweight") for k in keys if k.endswith(".qweight"))

    def read(name: str):
        bias_key = f"{name}.bias"
        bias = tensors.get(bias_key) if bias_key in keys else None
        return tensors.get(f"{name}.qweight"), tensors.get(f"{name}.scale"), bias

    def build(group: tuple[str, ...]):
        parts = [read(name) for name in group]
        if len(group) == 1:
            return int8_linear(*parts[0])
        biases = [bias for _, _, bias in parts]
        if any(b is None for b in biases) and not all(b is None for b in biases):
            biases = [
                torch.zeros(q.shape[0]) if b is None else b
                for (q, _, _), b in zip(parts, biases, strict=True)
            ]
        fused = int8_linear(
            torch.cat([q for q, _, _ in parts]),
            torch.cat([s for _, s, _ in parts]),
            None if biases[0] is None else torch.cat([b.float() for b in biases]),
        )
        shared = SharedProduct(fused, [q.shape[0] for q, _, _ in parts])
        return [shared_linear_class()(shared, index) for index in range(len(group))]

    grouped = sibling_groups(names) if fuse else []
    in_group = {name for group in grouped for name in group}
    jobs = grouped + [(name,) for name in names if name not in in_group]
    return {group: pool.submit(build, group) for group in jobs}


def _install(model, layers: dict, tensors: TensorFile) -> None:
    """Put the int8 modules in the skeleton and load everything else as fp32 (the embedding as stored)."""
    names = _linear_names(model)
    built = {name for group in layers for name in group}
    missing = [n for n in names if n not in built]
    if missing:
        raise ModelError(f"{tensors.file}: no int8 weights for {missing[0]} (delete the file to rebuild it)")
    extra = sorted(built - set(names))
    if extra:
        raise ModelError(f"{tensors.file}: int8 weights for {extra[0]}, which the model's config lacks")
    for group, future in layers.items():
        modules = future.result()
        for name, module in zip(group, modules if len(group) > 1 else [modules], strict=True):
            model.set_submodule(name, module)
    linear_keys = {f"{n}.{part}" for n in built for part in ("qweight", "scale", "bias")}
    embedding = _input_embedding_key(model)
    rest = {k: tensors.get(k) for k in tensors.names() if k not in linear_keys}
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
