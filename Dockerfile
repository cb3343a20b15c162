# Raqib: the moderation service with its bundled model and an embedded Redis (REDIS_URL for a real one).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    RAQIB_DATA_DIR=/var/lib/raqib

# Tesseract with its Arabic model reads the text in images.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-ara \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --uid 10001 raqib \
    && mkdir -p /var/lib/raqib && chown raqib:raqib /var/lib/raqib

WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY models ./models

# The README's install. For a CPU-only image, pass the PyTorch CPU wheel index as TORCH_INDEX_URL
# so that pip does not fetch the CUDA build.
ARG TORCH_INDEX_URL=""
# pdqhash compiles a small C++ extension: the compiler is installed for the build and removed.
RUN apt-get update && apt-get install -y --no-install-recommends g++ \
    && pip install torch==2.13.0 ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} \
    && pip install . \
    && apt-get purge -y --auto-remove g++ && rm -rf /var/lib/apt/lists/*

USER raqib
VOLUME ["/var/lib/raqib"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"
CMD ["raqib", "serve", "--host", "0.0.0.0", "--port", "8080"]
