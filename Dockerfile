# fax-emulator as a container: every vendor's API and the control API on port 8329.
#   docker build -t fax-emulator .
#   docker run --rm -p 8329:8329 fax-emulator --clock real --speed 60
# Arguments after the image name are `fax-emulator serve` flags. BASE_IMAGE may be any image
# with python3 (3.11 or newer) and its venv module, e.g. a Debian one with python3-venv.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/fax-emulator
# the dependencies (and the build backend) first, in a layer of their own: a change to the
# code does not download them again
COPY pyproject.toml ./
RUN python3 -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); \
print('\n'.join(p['project']['dependencies'] + p['build-system']['requires']))" > requirements.txt \
 && /opt/fax-emulator/bin/python -m pip install -r requirements.txt
# emulator/schemas and emulator/scenarios link to these top-level folders
COPY README.md LICENSE MANIFEST.in CHANGELOG.md ./
COPY schemas ./schemas
COPY scenarios ./scenarios
COPY emulator ./emulator
RUN /opt/fax-emulator/bin/python -m pip install --no-deps --no-build-isolation . \
 && /opt/fax-emulator/bin/python -m pip uninstall --yes setuptools \
 && /opt/fax-emulator/bin/fax-emulator --version

FROM ${BASE_IMAGE}
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin fax-emulator
COPY --from=build /opt/fax-emulator /opt/fax-emulator
ENV PATH=/opt/fax-emulator/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER fax-emulator
EXPOSE 8329
# asks the port the server was started with (PID 1's --port), else 8329
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["python3", "-c", "\
import re, urllib.request; args = open('/proc/1/cmdline').read().replace(chr(0), ' '); \
port = re.search(r'--port[= ](\\d+)', args); \
urllib.request.urlopen(f'http://127.0.0.1:{port[1] if port else 8329}/_emulator/health', timeout=2)"]
ENTRYPOINT ["fax-emulator", "serve", "--host", "0.0.0.0"]
CMD []
