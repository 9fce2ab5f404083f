"""bf16 weights on CPU, with the big matrix products (reading a prompt) computed in fp32 where the CPU
has no native bf16.

Without native bf16 (AVX2 CPUs), PyTorch emulates bf16 GEMMs: decoding a few rows is fine, since it is
bound by reading the weights (half the bytes of fp32), but a prompt's hundreds of rows run several times
slower than fp32. Upcasting one layer's weight for such a product costs far less than that, and weights
stay bf16 in memory.
"""

from __future__ import annotations

from pathlib import Path

from zhaiyao.errors import ModelError

# Rows (batch × tokens) from which a bf16 linear layer runs in fp32 instead.
UPCAST_ROWS = 32


def upcast_prompt_reading(model) -> int:
    """Compute big bf16 matrix products in fp32, small ones (decoding) in bf16; returns how many layers
    were switched."""
    import torch
    import torch.nn.functional as F

    class PrefillUpcastLinear(torch.nn.Linear):
        def forward(self, x):
            if x.dtype == torch.bfloat16 and x.numel() // x.shape[-1] >= UPCAST_ROWS:
                bias = None if self.bias is None else self.bias.float()
                return F.linear(x.float(), self.weight.float(), bias).to(x.dtype)
            return F.linear(x, self.weight, self.bias)

    switched = 0
    for module in model.modules():
        if type(module) is torch.nn.Linear:
            module.__class__ = PrefillUpcastLinear
            switched += 1
    return switched


def load_bf16_model(path: Path):
    """The causal LM in ``path`` with its weights in bf16, ready for eval."""
    import torch
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(
            path, dtype=torch.bfloat16, trust_remote_code=False, use_safetensors=True
        )
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot load a causal language model: {exc}") from exc
    return model.eval()
