"""Images, in one package: intake checks in the request (``uploads``), decoding, hashing and
fetching (``media``), text read by Tesseract (``ocr``), the image model (``model``), what the
service learns from an image (``analysis``), and the worker's image jobs (``jobs``). The bank of
removed images is stored by ``store/images.py``."""
