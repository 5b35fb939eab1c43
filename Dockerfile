# The project on the official Airflow 3 image, for docker-compose.yml.

# Stage 1: the project's wheel and the exact versions it runs with (uv.lock): the main dependencies and
# the `production` group (Celery, Redis, the PostgreSQL drivers and the Celery/PostgreSQL/Redis providers).
FROM apache/airflow:3.3.2-python3.11 AS wheel
USER airflow
COPY --chown=airflow:root . /tmp/src
WORKDIR /tmp/src
RUN pip install --no-cache-dir uv==0.13.9 \
 && python -m uv build --wheel --out-dir /tmp/dist \
 && python -m uv export --frozen --no-dev --group production --no-hashes --no-emit-project -o /tmp/dist/requirements.txt

# Stage 2: the image the services run: the locked requirements, then the wheel (no source tree), the DAG files.
FROM apache/airflow:3.3.2-python3.11
USER root
# Pango and fonts for the PDF reports (WeasyPrint).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
USER airflow
COPY --from=wheel /tmp/dist /tmp/dist
RUN pip install --no-cache-dir -r /tmp/dist/requirements.txt \
 && pip install --no-cache-dir --no-deps /tmp/dist/*.whl
COPY --chown=airflow:root dags /opt/compliance/dags

ENV COMPLIANCE_INBOX=/data/inbox \
    COMPLIANCE_CONTRACTS_DIR=/data/contracts \
    COMPLIANCE_REPORTS_DIR=/data/reports \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/compliance/dags
