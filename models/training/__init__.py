"""Training the classifier and everything that needs torch: the tokenizer's training, masked-LM
pre-training, fine-tuning, distillation, the n-gram baseline, evaluation, ONNX export, the torch
inference path and the optional image model. The serving path (``raqib.models``) never imports
this package unless an artifact has no ONNX file."""
