"""The model runtime: weights, kernels, key/value caches and decoding, in token ids only.

Nothing here knows about articles, prompts, styles, guards or candidates' merits: ``zhaiyao.summarise`` (the
policy) builds prompts, asks for continuations and chooses among them. Dependencies point one way,
summarise → runtime; no module here imports ``zhaiyao.summarise``.

- ``cpu``: what the CPU and the PyTorch build offer (native bf16, int8 kernels)
- ``tensorfile``: reading single tensors out of a safetensors file without mapping it
- ``bf16``: bf16 weights, with big products upcast on CPUs that emulate bf16
- ``int8``: the cached int8 copy of a model's weights, and loading a model from it
- ``int8_layers``: the int8 linear layers (oneDNN, ``torch._int_mm``, fbgemm)
- ``fusion``: one int8 product for sibling layers that read the same input
- ``smoothing``: SmoothQuant factors folded into the weights before int8 quantisation
- ``derived``: files derived beside a model's (written whole, known to ``verify``)
- ``tokenizer``: a chat model's tokenizer, from its tokenizer.json once checked equal to transformers'
- ``memory``: freed activations kept in the process for the next forward pass (glibc)
- ``loading``: a causal LM from its folder with the weights asked for; its stop tokens
- ``kv_cache``: the decoding cache, in slots that rows join and leave
- ``prefix_cache``: key/value caches of shared prompt prefixes, kept by their tokens
- ``processors``: repetition penalty and seeded top-k sampling
- ``batching``: jobs, rows and the live batch (continuous batching)
- ``decoding``: the decoder (greedy continuations and sampled candidates, continuously batched)
"""
