# One image for every process (web, worker); the Procfile names the commands.
# The production image holds only the application packages: no sandbox/ (fake AWS, Slack
# emulator), tests/ or bench/ (see .dockerignore).
# TODO(pin): pin the base image by digest (`python:3.11-slim@sha256:<digest>`, both stages) once
# the digest has been read from the registry (`docker buildx imagetools inspect python:3.11-slim`);
# it could not be looked up from the build environment, and a guessed digest would not build.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.lock pyproject.toml README.md ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps -r requirements.lock
COPY posture posture
COPY commands commands
COPY workers workers
COPY bot bot
RUN /opt/venv/bin/pip install --no-deps .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 cachewarden
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
USER cachewarden
WORKDIR /home/cachewarden
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz').status==200 else 1)"
CMD ["cachewarden", "serve", "--http", "--port", "3000"]
