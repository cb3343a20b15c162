# Raqib: the moderation service (web or worker, by command) with its bundled model, served on ONNX
# Runtime: no torch in the image. Exact versions come from constraints.txt (docs/deploy.md says how
# this was built and measured, and how to build it on a machine without a registry).
#   docker build -t raqib:0.1.0 .
# BASE: python:3.11-slim-bookworm, or any Debian bookworm root with python3 and python3-venv.
ARG BASE=python:3.11.13-slim-bookworm

# Stage 1: a virtual environment with the service and its pinned dependencies. pdqhash compiles a
# small C++ extension here, so the compiler never reaches the image.
FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBIAN_FRONTEND=noninteractive
# Behind a proxy that re-signs TLS, or with a mirror: a CA bundle mounted into the build, an index URL.
ARG PIP_CERT
ARG PIP_INDEX_URL
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ \
    && { python3 -c "import sysconfig, os, sys; sys.exit(not os.path.exists(sysconfig.get_path('include') + '/Python.h'))" \
         || apt-get install -y --no-install-recommends python3-dev; } \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
WORKDIR /src
COPY constraints.txt ./
COPY pyproject.toml README.md ./
COPY service ./service
COPY models ./models
# The wheel is built and installed into the venv; /src stays behind in this stage (the model is stored
# once, in site-packages). pip itself is not needed at run time.
RUN /opt/venv/bin/pip install -q . -c constraints.txt \
    && /opt/venv/bin/pip uninstall -q -y pip setuptools

# Stage 2: the image. Tesseract with its Arabic model reads the text in images.
FROM ${BASE}
ENV PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    RAQIB_DATA_DIR=/var/lib/raqib \
    DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-ara \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
    && useradd --system --create-home --uid 10001 raqib \
    && mkdir -p /var/lib/raqib && chown raqib:raqib /var/lib/raqib
COPY --from=build /opt/venv /opt/venv
COPY deploy/healthcheck /usr/local/bin/raqib-healthcheck

USER raqib
WORKDIR /var/lib/raqib
VOLUME ["/var/lib/raqib"]
EXPOSE 8080
# By role: a container running `raqib worker` is healthy while its heartbeat in Redis is fresh
# (`raqib worker --check`); any other answers GET /healthz on port 8080 (HEALTH_URL to change it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["raqib-healthcheck"]
CMD ["raqib", "serve", "--host", "0.0.0.0", "--port", "8080"]
