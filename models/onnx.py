"""The serving path: the classifier exported to ONNX (``models/training/export.py``) and run by
ONNX Runtime, int8 where it keeps quality (dynamic quantisation of the linear layers). Scores
match the torch path within ``INT8_TOLERANCE`` (tested); the fp32 export within ``FP32_TOLERANCE``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

ONNX_FILE = "model.int8.onnx"
FP32_TOLERANCE = 1e-4
INT8_TOLERANCE = 0.05


class OnnxScorer:
    """Runs an exported model: ``(input_ids, attention_mask[, ngram_ids]) -> scores``."""

    def __init__(self, path: str | Path, threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(
        self, input_ids: np.ndarray, attention_mask: np.ndarray, ngram_ids: np.ndarray | None = None
    ) -> np.ndarray:
        feeds = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)}
        if ngram_ids is not None:
            feeds["ngram_ids"] = ngram_ids.astype(np.int64)
        scores: np.ndarray = self.session.run(["scores"], feeds)[0]
        return scores
